using System.Text.Json.Nodes;
using ArtBot.Domain.Bot;

namespace ArtBot.Vk;

/// <summary>
/// The domain's keyboards as VK inline keyboards of <c>callback</c> buttons. VK refuses an inline
/// keyboard of more than 10 buttons, 6 rows or 5 buttons a row, so a larger one is cut into
/// pages, whole rows where they fit, with ◀ ▶ buttons that turn them.
/// </summary>
public static class VkKeyboards
{
    public const int MaxButtons = 10, MaxRows = 6, MaxPerRow = 5, MaxLabel = 40;

    /// <summary>Payload field of a domain button's data.</summary>
    public const string DataField = "d";

    /// <summary>Payload fields of a page-turn button: the page, and the menu it belongs to.</summary>
    public const string PageField = "page", MenuField = "menu";

    /// <summary>An inline keyboard without buttons: what an edit sends to take a message's buttons away.</summary>
    public const string None = """{"inline":true,"buttons":[]}""";

    /// <summary>The pages of <paramref name="keyboard"/>, each a list of rows within VK's limits (nav buttons not included).</summary>
    public static IReadOnlyList<IReadOnlyList<IReadOnlyList<Button>>> Pages(Keyboard keyboard)
    {
        // VK has no "send to a chat" (inline mode), and refuses a link only this machine can open.
        var rows = keyboard.Rows.Select(r => r.Where(b => b.SwitchInline == null && !b.LinksHereOnly).ToList()).Where(r => r.Count > 0)
            .SelectMany(r => r.Chunk(MaxPerRow)).Select(r => (IReadOnlyList<Button>)r).ToList();
        if (rows.Count <= MaxRows && rows.Sum(r => r.Count) <= MaxButtons) return [rows];
        // First and last pages carry one page-turn button, those between carry two.
        var pages = Pack(rows, MaxButtons - 1);
        return pages.Count <= 2 ? pages : Pack(rows, MaxButtons - 2);
    }

    private static List<IReadOnlyList<IReadOnlyList<Button>>> Pack(List<IReadOnlyList<Button>> rows, int capacity)
    {
        var pages = new List<IReadOnlyList<IReadOnlyList<Button>>>();
        var page = new List<IReadOnlyList<Button>>();
        var count = 0;
        foreach (var row in rows)
        {
            foreach (var part in row.Chunk(capacity))
            {
                if (page.Count > 0 && (count + part.Length > capacity || page.Count == MaxRows - 1))
                {
                    pages.Add(page);
                    page = [];
                    count = 0;
                }
                page.Add(part);
                count += part.Length;
            }
        }
        if (page.Count > 0) pages.Add(page);
        return pages;
    }

    /// <summary>Page <paramref name="page"/> (0-based) of <see cref="Pages"/> as VK keyboard JSON; <paramref name="menu"/> names the keyboard for the page-turn buttons.</summary>
    public static string Render(IReadOnlyList<IReadOnlyList<IReadOnlyList<Button>>> pages, int page, string menu)
    {
        page = Math.Clamp(page, 0, pages.Count - 1);
        var buttons = new JsonArray();
        foreach (var row in pages[page])
            buttons.Add(new JsonArray([.. row.Select(b => b.Url is { } url ? Link(b.Text, url) : Callback(b.Text, new JsonObject { [DataField] = b.Data }))]));
        if (pages.Count > 1)
        {
            var nav = new JsonArray();
            if (page > 0) nav.Add(Callback($"◀ {page}/{pages.Count}", new JsonObject { [PageField] = page - 1, [MenuField] = menu }));
            if (page < pages.Count - 1) nav.Add(Callback($"{page + 2}/{pages.Count} ▶", new JsonObject { [PageField] = page + 1, [MenuField] = menu }));
            buttons.Add(nav);
        }
        return new JsonObject { ["inline"] = true, ["buttons"] = buttons }.ToJsonString();
    }

    /// <summary>An <c>open_link</c> button (no color: VK refuses one on a link).</summary>
    private static JsonObject Link(string label, string url) => new()
    {
        ["action"] = new JsonObject { ["type"] = "open_link", ["label"] = Label(label), ["link"] = url },
    };

    private static string Label(string label) => label.Length <= MaxLabel ? label : label[..(MaxLabel - 1)] + "…";

    private static JsonObject Callback(string label, JsonObject payload) => new()
    {
        ["action"] = new JsonObject
        {
            ["type"] = "callback",
            ["label"] = Label(label),
            ["payload"] = payload.ToJsonString(),
        },
        ["color"] = "secondary",
    };
}
