using System.ComponentModel.DataAnnotations;

namespace ArtBot.Scheduling;

/// <summary>Configuration section <c>Storage</c>: where jobs, users, the ledger and images live.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary><c>litedb</c> (default: one file, one process, Queue:DatabasePath) or <c>postgres</c> (several processes).</summary>
    [Required, RegularExpression("^(litedb|postgres)$")]
    public string Provider { get; set; } = "litedb";

    /// <summary>The PostgreSQL connection string (ARTBOT_Storage__ConnectionString); environment only.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => Provider == "postgres";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("Storage:Provider is postgres: set Storage:ConnectionString (ARTBOT_Storage__ConnectionString)", [nameof(ConnectionString)]);
    }
}
