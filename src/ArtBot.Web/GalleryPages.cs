using System.Globalization;
using System.Net;
using System.Text;
using ArtBot.Domain.Art;
using ArtBot.Domain.Bot;
using ArtBot.Domain.Gallery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ArtBot.Web;

/// <summary>
/// The public gallery on the web host: <c>/gallery</c> (newest or the week's best, paged),
/// <c>/p/&lt;id&gt;</c> (one picture, with Open Graph tags so a link unfurls in Telegram and VK),
/// the images under <c>/g/</c> (with ETags), and likes and reports posted by the page under the
/// chat's signed cookie identity. Plain server-rendered HTML that works without the chat, on a
/// phone, in English and Russian; everything a visitor can see passes
/// <see cref="GalleryService.VisibleAsync"/>.
/// </summary>
public sealed class GalleryPages(GalleryService gallery, bool chatOn)
{
    /// <summary>Pages and images anyone may fetch, from any site (a link in a chat, an unfurl).</summary>
    public static bool IsPublic(PathString path) =>
        path == "/gallery" || path.StartsWithSegments("/p") || path.StartsWithSegments("/g");

    /// <summary>A page (not an image) that may make a visitor their identity, as the chat's page does.</summary>
    public static bool IsPage(PathString path) => path == "/gallery" || path.StartsWithSegments("/p");

    /// <param name="userOf">The visitor's identity from the signed cookie, if any.</param>
    /// <param name="allowed">Whether the visitor (and their network) may send another request this minute.</param>
    public void Map(WebApplication app, Func<HttpContext, long?> userOf, Func<HttpContext, bool> allowed)
    {
        app.MapGet("/gallery", (Delegate)((HttpContext c, string? order, int page = 0) => ListAsync(c, order, page)));
        app.MapGet("/p/{id}", (Delegate)((HttpContext c, string id) => PictureAsync(c, id)));
        app.MapGet("/g/{id}/{file}", (Delegate)((HttpContext c, string id, string file) => ImageAsync(c, id, file)));
        app.MapPost("/gallery/like/{id}", (Delegate)((HttpContext c, string id) => allowed(c) ? VoteAsync(c, id, userOf(c), like: true) : TooFast()));
        app.MapPost("/gallery/report/{id}", (Delegate)((HttpContext c, string id) => allowed(c) ? VoteAsync(c, id, userOf(c), like: false) : TooFast()));
        if (!chatOn) app.MapGet("/", () => Results.Redirect("/gallery"));
    }

    private static Language LanguageOf(HttpContext context) =>
        context.Request.Query["lang"].ToString() is var chosen && chosen is "ru" or "en"
            ? Texts.LanguageOf(chosen)
            : Texts.LanguageOf(context.Request.Headers.AcceptLanguage.ToString().Split(',')[0].Split(';')[0].Trim());

    private async Task<IResult> ListAsync(HttpContext context, string? order, int page)
    {
        var language = LanguageOf(context);
        var best = order == "best";
        page = Math.Clamp(page, 0, 10_000);
        var entries = await gallery.PageAsync(best ? GalleryOrder.WeekBest : GalleryOrder.Newest, page, context.RequestAborted);
        var more = entries.Count > gallery.Options.PageSize;
        string T(string key, params object[] args) => Texts.Get(language, key, args);
        var lang = language == Language.Ru ? "ru" : "en";
        var html = new StringBuilder();
        Head(html, lang, T(TextKey.GalleryTitle), T(TextKey.GalleryIntro), gallery.Options.GalleryPage, entries.FirstOrDefault() is { IsAnimation: false } first ? ImageUrl(first, "thumb") : null);
        html.Append("<header><h1>").Append(E(T(TextKey.GalleryTitle))).Append("</h1><p>").Append(E(T(TextKey.GalleryIntro))).Append("</p><nav>");
        html.Append(Tab($"/gallery?lang={lang}", T(TextKey.GalleryNewest), !best)).Append(Tab($"/gallery?order=best&lang={lang}", T(TextKey.GalleryWeekBest), best));
        html.Append("<a class=\"lang\" href=\"/gallery?").Append(best ? "order=best&amp;" : "").Append("lang=").Append(lang == "ru" ? "en\">English" : "ru\">Русский").Append("</a>");
        html.Append("</nav></header><main class=\"grid\">");
        if (entries.Count == 0) html.Append("<p class=\"empty\">").Append(E(T(TextKey.GalleryEmpty))).Append("</p>");
        foreach (var entry in entries.Take(gallery.Options.PageSize))
        {
            html.Append("<figure class=\"card\" data-id=\"").Append(entry.Id).Append("\"><a href=\"/p/").Append(entry.Id).Append("?lang=").Append(lang).Append("\">");
            Media(html, entry, thumbnail: true, T(TextKey.GalleryTitle));
            html.Append("</a><figcaption><span class=\"style\">").Append(E(gallery.StyleName(language, entry))).Append("</span>");
            LikeButton(html, entry, T(TextKey.GalleryLikeButton));
            html.Append("</figcaption></figure>");
        }
        html.Append("</main><footer class=\"pager\">");
        var baseQuery = $"{(best ? "order=best&amp;" : "")}lang={lang}";
        if (page > 0) html.Append("<a href=\"/gallery?").Append(baseQuery).Append("&amp;page=").Append(page - 1).Append("\">← ").Append(E(T(TextKey.GalleryNewer))).Append("</a>");
        if (more) html.Append("<a href=\"/gallery?").Append(baseQuery).Append("&amp;page=").Append(page + 1).Append("\">").Append(E(T(TextKey.GalleryOlder))).Append(" →</a>");
        html.Append("</footer>");
        Script(html, T(TextKey.GalleryReported));
        return Page(context, html);
    }

    private async Task<IResult> PictureAsync(HttpContext context, string id)
    {
        if (await gallery.VisibleAsync(id, context.RequestAborted) is not { } entry) return NotFound(context);
        var language = LanguageOf(context);
        string T(string key, params object[] args) => Texts.Get(language, key, args);
        var lang = language == Language.Ru ? "ru" : "en";
        var style = gallery.StyleName(language, entry);
        var title = $"{style} · {T(TextKey.GalleryTitle)}";
        var html = new StringBuilder();
        Head(html, lang, title, T(TextKey.GalleryIntro), gallery.Options.PageOf(entry.Id), entry.IsAnimation ? null : ImageUrl(entry, "full"), entry.IsAnimation ? ImageUrl(entry, "full") : null);
        html.Append("<header><a class=\"back\" href=\"/gallery?lang=").Append(lang).Append("\">← ").Append(E(T(TextKey.GalleryBack))).Append("</a>");
        html.Append("<a class=\"lang\" href=\"/p/").Append(entry.Id).Append("?lang=").Append(lang == "ru" ? "en\">English" : "ru\">Русский").Append("</a></header>");
        html.Append("<main class=\"one\"><figure class=\"card\" data-id=\"").Append(entry.Id).Append("\">");
        Media(html, entry, thumbnail: false, style);
        html.Append("<figcaption><h1 class=\"style\">").Append(E(style)).Append("</h1><p class=\"when\">")
            .Append(E(T(TextKey.GalleryShared, entry.SharedAt.UtcDateTime))).Append("</p>");
        LikeButton(html, entry, T(TextKey.GalleryLikeButton));
        html.Append("<a class=\"full\" href=\"/g/").Append(entry.Id).Append(entry.IsAnimation ? "/full.mp4" : "/full.jpg").Append("\">").Append(E(T(TextKey.GalleryFull))).Append("</a>");
        html.Append("<button type=\"button\" class=\"report\">").Append(E(T(TextKey.GalleryReportButton))).Append("</button>");
        if (entry.PaintingThumbnail != null)
            html.Append("<p class=\"painting\">").Append(E(T(TextKey.GalleryPainting))).Append("<br><img src=\"/g/").Append(entry.Id).Append("/painting.jpg\" alt=\"")
                .Append(E(T(TextKey.GalleryPainting))).Append("\" loading=\"lazy\"></p>");
        if (chatOn) html.Append("<p><a class=\"make\" href=\"/\">").Append(E(T(TextKey.GalleryMakeYourOwn))).Append("</a></p>");
        html.Append("</figcaption></figure></main>");
        Script(html, T(TextKey.GalleryReported));
        return Page(context, html);
    }

    /// <summary>An image of a visible picture; "If-None-Match" with its ETag gets 304.</summary>
    private async Task<IResult> ImageAsync(HttpContext context, string id, string file)
    {
        var which = file switch
        {
            "full.jpg" or "full.png" or "full.mp4" => GalleryImage.Picture,
            "thumb.jpg" => GalleryImage.Thumbnail,
            "painting.jpg" => GalleryImage.Painting,
            _ => (GalleryImage?)null,
        };
        if (which == null || await gallery.ImageAsync(id, which.Value, context.RequestAborted) is not var (bytes, etag)) return Results.NotFound();
        var response = context.Response;
        response.Headers.ETag = etag;
        // Public, but revalidated within the hour: a picture taken out must stop showing.
        response.Headers.CacheControl = "public, max-age=3600";
        if (context.Request.Headers.IfNoneMatch.ToString().Split(',').Any(t => t.Trim() == etag || t.Trim() == "*"))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        var type = bytes switch
        {
            [0x89, 0x50, ..] => "image/png",
            [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', ..] => "video/mp4",
            _ => "image/jpeg",
        };
        return Results.Bytes(bytes, type);
    }

    private async Task<IResult> VoteAsync(HttpContext context, string id, long? user, bool like)
    {
        // Without the page's identity (a cookie made by loading a page here) nothing counts.
        if (user is not { } visitor) return Results.Json(new { ok = false, error = "no session: load the page first" }, statusCode: StatusCodes.Status401Unauthorized);
        var person = UserProfile.KeyOf(WebMessenger.PlatformName, visitor);
        var (vote, likes) = like ? await gallery.LikeAsync(id, person, context.RequestAborted) : (await gallery.ReportAsync(id, person, context.RequestAborted), 0);
        if (vote == GalleryVote.Missing) return Results.Json(new { ok = false }, statusCode: StatusCodes.Status404NotFound);
        return Results.Json(new { ok = true, counted = vote == GalleryVote.Counted, likes });
    }

    private static Task<IResult> TooFast() => Task.FromResult(Results.Json(new { ok = false }, statusCode: StatusCodes.Status429TooManyRequests));

    private IResult NotFound(HttpContext context)
    {
        var language = LanguageOf(context);
        var html = new StringBuilder();
        Head(html, language == Language.Ru ? "ru" : "en", Texts.Get(language, TextKey.GalleryTitle), "", null, null);
        html.Append("<main class=\"one\"><p class=\"empty\">").Append(E(Texts.Get(language, TextKey.LikeGone))).Append("</p><p><a href=\"/gallery\">")
            .Append(E(Texts.Get(language, TextKey.GalleryBack))).Append("</a></p></main>");
        return Page(context, html, StatusCodes.Status404NotFound);
    }

    private string ImageUrl(GalleryEntry entry, string which) =>
        $"{gallery.Options.BaseUrl}g/{entry.Id}/{which}.{(entry.IsAnimation && which == "full" ? "mp4" : "jpg")}";

    private static void Media(StringBuilder html, GalleryEntry entry, bool thumbnail, string alt)
    {
        if (entry.IsAnimation)
            html.Append("<video src=\"/g/").Append(entry.Id).Append("/full.mp4\" muted autoplay loop playsinline preload=\"metadata\"></video>");
        else
            html.Append("<img src=\"/g/").Append(entry.Id).Append(thumbnail ? "/thumb.jpg" : "/full.jpg").Append("\" alt=\"").Append(E(alt)).Append('"')
                .Append(thumbnail ? " loading=\"lazy\"" : "").Append('>');
    }

    private static void LikeButton(StringBuilder html, GalleryEntry entry, string label) =>
        html.Append("<button type=\"button\" class=\"like\" title=\"").Append(E(label)).Append("\">♥ <span class=\"count\">")
            .Append(entry.Likes.ToString(CultureInfo.InvariantCulture)).Append("</span></button>");

    private static string Tab(string href, string text, bool current) =>
        $"<a class=\"tab{(current ? " current" : "")}\" href=\"{href.Replace("&", "&amp;", StringComparison.Ordinal)}\">{E(text)}</a>";

    private static void Head(StringBuilder html, string lang, string title, string description, string? url, string? image, string? video = null)
    {
        html.Append("<!doctype html><html lang=\"").Append(lang).Append("\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>").Append(E(title)).Append("</title>")
            .Append("<meta property=\"og:site_name\" content=\"ArtBot\"><meta property=\"og:type\" content=\"website\">")
            .Append("<meta property=\"og:title\" content=\"").Append(E(title)).Append("\"><meta property=\"og:description\" content=\"").Append(E(description)).Append("\">");
        if (url != null) html.Append("<meta property=\"og:url\" content=\"").Append(E(url)).Append("\">");
        if (image != null) html.Append("<meta property=\"og:image\" content=\"").Append(E(image)).Append("\"><meta name=\"twitter:card\" content=\"summary_large_image\">");
        if (video != null) html.Append("<meta property=\"og:video\" content=\"").Append(E(video)).Append("\"><meta property=\"og:video:type\" content=\"video/mp4\">");
        html.Append("<style>").Append(Css).Append("</style></head><body>");
    }

    private static void Script(StringBuilder html, string reported) =>
        html.Append("<p id=\"notice\" role=\"status\"></p><script>").Append(Js.Replace("REPORTED", System.Text.Json.JsonSerializer.Serialize(reported), StringComparison.Ordinal))
            .Append("</script></body></html>");

    private static IResult Page(HttpContext context, StringBuilder html, int status = StatusCodes.Status200OK)
    {
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body{margin:0;font:15px/1.4 system-ui,sans-serif;background:#f5f6f8;color:#1c2430}
        header{padding:16px;background:#fff;border-bottom:1px solid #e2e6ec}h1{margin:0 0 4px;font-size:22px}
        header p{margin:0 0 10px;color:#5b6575}nav{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
        .tab,.lang,.back{padding:6px 12px;border-radius:16px;text-decoration:none;color:#1d4f8f;background:#eef3f9}.tab.current{background:#1d4f8f;color:#fff}.lang{margin-left:auto}
        header:has(.back){display:flex;gap:8px}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px;padding:12px}
        .card{margin:0;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 3px #0002}
        .card img,.card video{display:block;width:100%;height:auto;background:#dde3ea}.grid .card img,.grid .card video{aspect-ratio:1;object-fit:cover}
        figcaption{display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding:8px 10px}.style{flex:1;font-weight:600;font-size:15px;margin:0}
        .one{max-width:900px;margin:0 auto;padding:12px}.when{width:100%;margin:0;color:#5b6575}
        button{font:inherit;border:1px solid #c9d6e6;background:#f4f8fc;color:#b0243b;border-radius:16px;padding:4px 12px;cursor:pointer}
        button.liked{background:#b0243b;color:#fff}.report{color:#5b6575}.full,.make{color:#1d4f8f}
        .painting img{max-width:180px;border-radius:6px;margin-top:4px}.pager{display:flex;justify-content:space-between;padding:12px 16px}
        #notice{position:fixed;bottom:12px;left:50%;transform:translateX(-50%);background:#1c2430;color:#fff;padding:6px 14px;border-radius:14px;display:none}
        .empty{padding:24px;color:#5b6575}
        """;

    private const string Js = """
        const notice = text => { const n = document.getElementById("notice"); n.textContent = text; n.style.display = "block"; setTimeout(() => n.style.display = "none", 3000); };
        async function vote(card, kind) {
          const r = await fetch(`/gallery/${kind}/${card.dataset.id}`, { method: "POST", credentials: "same-origin" });
          if (r.status === 401) { location.reload(); return null; }
          return r.ok ? r.json() : null;
        }
        for (const card of document.querySelectorAll(".card")) {
          const like = card.querySelector(".like");
          like.onclick = async () => { const v = await vote(card, "like"); if (v) { card.querySelector(".count").textContent = v.likes; like.classList.add("liked"); } };
          const report = card.querySelector(".report");
          if (report) report.onclick = async () => { if (await vote(card, "report")) { notice(REPORTED); report.disabled = true; } };
        }
        """;
}
