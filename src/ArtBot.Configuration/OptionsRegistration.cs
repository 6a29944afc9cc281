using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArtBot.Configuration;

/// <summary>
/// Every options class of every area is registered the same way: bound from its section (times and
/// enums parsed by the binder), checked on start by its data annotations, down through nested
/// records (a tier's limits, the request limits), and by its own cross-field rules
/// (<see cref="IValidatableObject"/>). A failure names the key, the value and the rule
/// (<c>Bot:Lease = 00:00:00: must be between 00:00:03 and 01:00:00</c>); the host prints it and exits 2.
/// </summary>
public static partial class OptionsRegistration
{
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new KeyedValidation<T>(section, configuration));
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>A failure of any options class, one line: what the host prints before it exits 2.</summary>
    public static string Describe(OptionsValidationException e) => string.Join("; ", e.Failures);

    /// <summary>
    /// The configuration's fault, as one line naming the key, the value and the rule, when
    /// <paramref name="e"/> (or what it wraps) is one: a rule a value broke, or a value the binder
    /// could not read as its type (a time of 25:99, a role nobody has). Null for anything else.
    /// </summary>
    public static string? Problem(Exception e)
    {
        for (var inner = (Exception?)e; inner != null; inner = inner.InnerException)
        {
            if (inner is OptionsValidationException invalid) return Describe(invalid);
            if (inner is AggregateException { InnerExceptions.Count: 1 } one && Problem(one.InnerExceptions[0]) is { } line) return line;
            if (inner is InvalidOperationException && BinderFailure().Match(inner.Message) is { Success: true } m)
                return $"{m.Groups["key"].Value} = {m.Groups["value"].Value}: {Expected(m.Groups["type"].Value)}";
        }
        return null;
    }

    private static string Expected(string type) => type switch
    {
        "System.TimeOnly" => "must be a time of day, HH:mm (00:00 to 23:59)",
        "System.TimeSpan" => "must be a duration, [d.]hh:mm:ss",
        "System.Boolean" => "must be true or false",
        "System.Int32" or "System.Int64" => "must be a whole number",
        "System.Double" => "must be a number",
        _ => AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(type)).FirstOrDefault(t => t is { IsEnum: true }) is { } names
            ? "must be one of " + string.Join(", ", Enum.GetNames(names).Select(n => n.ToLowerInvariant()))
            : $"cannot be read as {type}",
    };

    [System.Text.RegularExpressions.GeneratedRegex("(Token|Secret|Key|ConnectionString|Password)$")]
    internal static partial System.Text.RegularExpressions.Regex Secret();

    // The binder's words (Microsoft.Extensions.Configuration.Binder): "Failed to convert configuration value '25:99' at 'Queue:NightStart' to type 'System.TimeOnly'."
    [System.Text.RegularExpressions.GeneratedRegex("^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex BinderFailure();
}

/// <summary>Validates an options object and the records inside it, naming each failure by its configuration key.</summary>
public sealed class KeyedValidation<T>(string section, IConfiguration configuration) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = new List<string>();
        Check(options, section, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Check(object value, string prefix, List<string> failures)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var member = result.MemberNames.FirstOrDefault() ?? "";
            var key = member.Length == 0 ? prefix : $"{prefix}:{member}";
            failures.Add($"{key} = {Shown(value, member, key)}: {Rule(member, result.ErrorMessage)}");
        }
        // Records inside (a tier's limits, the request limits) carry rules of their own.
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !IsOptionsRecord(property.PropertyType)) continue;
            if (property.GetValue(value) is { } inner) Check(inner, $"{prefix}:{property.Name}", failures);
        }
    }

    private static bool IsOptionsRecord(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.Namespace?.StartsWith("ArtBot", StringComparison.Ordinal) == true;

    /// <summary>The value as configured (the text an operator wrote), else as bound (a default).</summary>
    private string Shown(object value, string member, string key)
    {
        // Tokens, secrets, keys and connection strings are never written out, even when wrong.
        if (OptionsRegistration.Secret().IsMatch(member))
            return configuration[key] is { Length: > 0 } || value.GetType().GetProperty(member)?.GetValue(value) is string { Length: > 0 } ? "(hidden)" : "(unset)";
        if (configuration[key] is { } configured) return configured;
        // A rule across records names a path ("Premium:MaxSide"): its value is the one configured, or the default.
        object? bound = value;
        foreach (var name in member.Split(':', StringSplitOptions.RemoveEmptyEntries))
            bound = bound?.GetType().GetProperty(name)?.GetValue(bound);
        if (member.Length == 0) bound = null;
        return bound switch
        {
            null => "(unset)",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            IEnumerable list and not string => string.Join(",", list.Cast<object?>()),
            _ => bound.ToString() ?? "",
        };
    }

    /// <summary>"The field Lease must be between …" reads "must be between …" after its key.</summary>
    private static string Rule(string member, string? message)
    {
        message ??= "is not valid";
        foreach (var start in new[] { $"The field {member} ", $"The {member} field " })
            if (message.StartsWith(start, StringComparison.Ordinal)) message = message[start.Length..];
        return message.TrimEnd('.');
    }
}
