namespace ArtBot.Domain.Queue;

/// <summary>
/// The daily window in which free heavy jobs run (default 01:00–07:00 Europe/Moscow). A window
/// whose end is before its start wraps past midnight.
/// </summary>
public sealed class NightWindow(TimeOnly start, TimeOnly end, TimeZoneInfo zone)
{
    public TimeOnly Start { get; } = start;
    public TimeOnly End { get; } = end;
    public TimeZoneInfo Zone { get; } = zone;

    public bool IsOpen(DateTimeOffset now)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).DateTime);
        return Start <= End ? local >= Start && local < End : local >= Start || local < End;
    }

    /// <summary>When the window next opens (now, if it is open).</summary>
    public DateTimeOffset NextOpening(DateTimeOffset now)
    {
        if (IsOpen(now)) return now;
        var local = TimeZoneInfo.ConvertTime(now, Zone);
        var candidate = local.Date + Start.ToTimeSpan();
        if (candidate <= local.DateTime) candidate = candidate.AddDays(1);
        return new DateTimeOffset(candidate, Zone.GetUtcOffset(candidate));
    }
}
