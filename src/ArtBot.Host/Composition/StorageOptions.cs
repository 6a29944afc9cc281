using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace ArtBot.Host.Composition;

/// <summary>Where jobs, users, the ledger and images live.</summary>
public enum StorageProvider
{
    /// <summary>One file, one process (<c>Queue:DatabasePath</c>).</summary>
    LiteDb,

    /// <summary>A server shared by any number of receivers and workers.</summary>
    Postgres,
}

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed record StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary><c>litedb</c> (default) or <c>postgres</c>; the binder takes either spelling of case.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public StorageProvider Provider { get; init; } = StorageProvider.LiteDb;

    /// <summary>The PostgreSQL connection string (ARTBOT_Storage__ConnectionString); environment only.</summary>
    public string? ConnectionString { get; init; }

    public bool IsPostgres => Provider == StorageProvider.Postgres;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("is required when Storage:Provider is postgres (ARTBOT_Storage__ConnectionString)", [nameof(ConnectionString)]);
    }
}
