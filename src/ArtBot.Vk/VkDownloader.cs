using ArtBot.Domain.Bot;
using System.Net;
using Microsoft.Extensions.Options;

namespace ArtBot.Vk;

/// <summary>
/// Fetches a photo a user sent, only from VK's own hosts (<see cref="VkOptions.DownloadHosts"/>):
/// URLs come inside messages, and a message must not be able to make the bot fetch anything
/// else (an internal address, a huge file elsewhere). Redirects are followed by hand and
/// checked the same way; the size limit holds while reading, whatever the headers say.
/// </summary>
public sealed class VkDownloader(HttpClient http, IOptions<VkOptions> options)
{
    private const int MaxRedirects = 3;

    /// <returns>The bytes, or why not (the domain words it for the user).</returns>
    public async Task<(byte[]? Bytes, UploadRefusal? Problem)> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxDownloadBytes;
        var tooBig = new UploadRefusal(UploadProblem.TooLarge, limit);
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            if (!Allowed(url, out var uri)) return (null, new UploadRefusal(UploadProblem.NotFromPlatform));
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Moved or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect
                && response.Headers.Location is { } location)
            {
                url = new Uri(uri, location).ToString();
                continue;
            }
            if (!response.IsSuccessStatusCode) return (null, new UploadRefusal(UploadProblem.Unavailable));
            if (response.Content.Headers.ContentLength > limit) return (null, tooBig);
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit) return (null, tooBig);
                buffer.Write(chunk, 0, read);
            }
            return (buffer.ToArray(), null);
        }
        return (null, new UploadRefusal(UploadProblem.Unavailable));
    }

    public bool Allowed(string url, out Uri uri)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out uri!) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.UserInfo)) return false;
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        return options.Value.DownloadHosts.Any(allowed =>
        {
            var h = allowed.Trim().TrimEnd('.').ToLowerInvariant();
            return h.Length > 0 && (host == h || host.EndsWith("." + h, StringComparison.Ordinal));
        });
    }
}
