using ArtBot.Domain.Bot;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArtBot.Vk;

/// <summary>An error VK answered with; <see cref="Code"/> is VK's error_code.</summary>
public class VkApiException(string method, int code, string message) : Exception($"VK {method}: error {code}: {message}")
{
    public string Method { get; } = method;
    public int Code { get; } = code;
}

/// <summary>Error 5: the community token is wrong or revoked. Nothing will work until it is fixed.</summary>
public sealed class VkAuthorizationException(string method, string message) : VkApiException(method, 5, message);

/// <summary>
/// Calls VK API methods: form-encoded POST to <c>{base}/method/{name}</c> with the token and
/// API version. Errors 6 (too many requests), 9 (flood control) and 10 (internal error) are
/// retried with backoff; every other error is raised as <see cref="VkApiException"/> naming the
/// method and code, never the token.
/// </summary>
public sealed class VkApiClient(HttpClient http, IOptions<VkOptions> options, ILogger<VkApiClient> logger)
{
    public const int AccessDenied = 5, TooManyRequests = 6, FloodControl = 9, InternalError = 10, CannotSendToUser = 901;

    private VkOptions Settings => options.Value;

    public async Task<JsonNode?> CallAsync(string method, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var form = new Dictionary<string, string>(parameters) { ["access_token"] = Settings.Token ?? "", ["v"] = Settings.Version };
            JsonNode? body;
            try
            {
                using var response = await http.PostAsync($"{Settings.BaseUrl.TrimEnd('/')}/method/{method}", new FormUrlEncodedContent(form), cancellationToken);
                if ((int)response.StatusCode >= 500) throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
                body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested && attempt < Settings.MaxRetries)
            {
                logger.LogWarning("VK {Method}: {Problem}; retry {Attempt}", method, e.GetType().Name, attempt);
                await Task.Delay(Backoff(attempt), cancellationToken);
                continue;
            }

            if (body?["error"] is not { } error) return body?["response"];
            var code = (int?)error["error_code"] ?? 0;
            var message = (string?)error["error_msg"] ?? "unknown error";
            if (code is TooManyRequests or FloodControl) ArtBotMetrics.WasRateLimited("vk");
            if (code is TooManyRequests or FloodControl or InternalError && attempt < Settings.MaxRetries)
            {
                logger.LogWarning("VK {Method}: error {Code} ({Message}); retry {Attempt}", method, code, message, attempt);
                await Task.Delay(Backoff(attempt), cancellationToken);
                continue;
            }
            if (code == AccessDenied)
            {
                logger.LogCritical("VK {Method}: error 5, the community token is invalid or revoked", method);
                throw new VkAuthorizationException(method, message);
            }
            logger.LogWarning("VK {Method}: error {Code} ({Message})", method, code, message);
            throw new VkApiException(method, code, message);
        }
    }

    /// <summary>Exponential, with jitter (×0.5 to ×1.5), so workers that hit a flood limit together do not come back together.</summary>
    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, attempt - 1)) * (0.5 + Random.Shared.NextDouble()));

    private static string S(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>groups.getLongPollServer: where and with which key and ts to poll.</summary>
    public async Task<(string Server, string Key, string Ts)> GetLongPollServerAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("groups.getLongPollServer", new Dictionary<string, string> { ["group_id"] = S(Settings.GroupId) }, cancellationToken);
        return ((string)response!["server"]!, (string)response["key"]!, response["ts"]!.ToString());
    }

    /// <summary>
    /// messages.send. VK keeps <paramref name="randomId"/> with the message and refuses to send
    /// the same one twice to a peer: the same key always gives the same id.
    /// </summary>
    public async Task<long> SendMessageAsync(long peerId, string text, int randomId, string? keyboard = null, string? attachment = null, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, string> { ["peer_id"] = S(peerId), ["random_id"] = S(randomId), ["message"] = text };
        if (keyboard != null) parameters["keyboard"] = keyboard;
        if (attachment != null) parameters["attachment"] = attachment;
        var response = await CallAsync("messages.send", parameters, cancellationToken);
        return (long?)response ?? 0;
    }

    /// <summary>messages.edit of a message named by its id, or by its number in the conversation (what a message_event carries).</summary>
    public Task EditMessageAsync(long peerId, string text, long? messageId = null, long? conversationMessageId = null, string? keyboard = null,
        CancellationToken cancellationToken = default, string? attachment = null)
    {
        var parameters = new Dictionary<string, string> { ["peer_id"] = S(peerId), ["message"] = text };
        if (attachment != null) parameters["attachment"] = attachment;
        if (messageId is { } id) parameters["message_id"] = S(id);
        if (conversationMessageId is { } number) parameters["conversation_message_id"] = S(number);
        if (keyboard != null) parameters["keyboard"] = keyboard;
        return CallAsync("messages.edit", parameters, cancellationToken);
    }

    /// <summary>messages.sendMessageEventAnswer: stops the button's spinner; a text shows as a snackbar.</summary>
    public Task AnswerEventAsync(string eventId, long userId, long peerId, string? snackbar, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, string> { ["event_id"] = eventId, ["user_id"] = S(userId), ["peer_id"] = S(peerId) };
        if (snackbar != null) parameters["event_data"] = new JsonObject { ["type"] = "show_snackbar", ["text"] = Clip(snackbar, 90) }.ToJsonString();
        return CallAsync("messages.sendMessageEventAnswer", parameters, cancellationToken);
    }

    /// <summary>photos.getMessagesUploadServer → upload → photos.saveMessagesPhoto: an attachment string for messages.send.</summary>
    public async Task<string> UploadPhotoAsync(long peerId, byte[] image, string fileName, CancellationToken cancellationToken = default)
    {
        var server = await CallAsync("photos.getMessagesUploadServer", new Dictionary<string, string> { ["peer_id"] = S(peerId) }, cancellationToken);
        var uploaded = await UploadAsync("photo", (string)server!["upload_url"]!, "photo", image, fileName, cancellationToken);
        if (string.IsNullOrEmpty((string?)uploaded["photo"]) || (string?)uploaded["photo"] == "[]")
            throw new VkApiException("photo upload", 0, "the upload server kept no photo");
        var saved = await CallAsync("photos.saveMessagesPhoto", new Dictionary<string, string>
        {
            ["photo"] = (string)uploaded["photo"]!,
            ["server"] = uploaded["server"]!.ToString(),
            ["hash"] = (string)uploaded["hash"]!,
        }, cancellationToken);
        return Attachment("photo", saved!.AsArray()[0]!);
    }

    /// <summary>docs.getMessagesUploadServer → upload → docs.save: the full-quality file as an attachment.</summary>
    public async Task<string> UploadDocumentAsync(long peerId, byte[] file, string fileName, CancellationToken cancellationToken = default)
    {
        var server = await CallAsync("docs.getMessagesUploadServer", new Dictionary<string, string> { ["type"] = "doc", ["peer_id"] = S(peerId) }, cancellationToken);
        var uploaded = await UploadAsync("document", (string)server!["upload_url"]!, "file", file, fileName, cancellationToken);
        var saved = await CallAsync("docs.save", new Dictionary<string, string> { ["file"] = (string)uploaded["file"]!, ["title"] = fileName }, cancellationToken);
        return Attachment("doc", saved!["doc"]!);
    }

    private async Task<JsonNode> UploadAsync(string what, string url, string field, byte[] bytes, string fileName, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var content = new MultipartFormDataContent();
                var part = new ByteArrayContent(bytes);
                part.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
                content.Add(part, field, fileName);
                using var response = await http.PostAsync(url, content, cancellationToken);
                if ((int)response.StatusCode >= 500) throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
                var body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken)
                           ?? throw new VkApiException($"{what} upload", 0, "empty answer");
                if (body["error"] is { } error) throw new VkApiException($"{what} upload", 0, error.ToJsonString());
                return body;
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested && attempt < Settings.MaxRetries)
            {
                // The upload URL carries a one-time signature, not the token: it is safe to name the problem, not the URL.
                logger.LogWarning("VK {What} upload: {Problem}; retry {Attempt}", what, e.GetType().Name, attempt);
                await Task.Delay(Backoff(attempt), cancellationToken);
            }
        }
    }

    private static string Attachment(string type, JsonNode saved)
    {
        var attachment = $"{type}{saved["owner_id"]}_{saved["id"]}";
        return (string?)saved["access_key"] is { Length: > 0 } key ? $"{attachment}_{key}" : attachment;
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>
    /// A random_id for a send named by <paramref name="key"/>: stable across retries and restarts,
    /// positive (0 means "no check" to VK) and spread over the int32 range.
    /// </summary>
    public static int RandomIdOf(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var value = BitConverter.ToInt32(hash, 0) & int.MaxValue;
        return value == 0 ? 1 : value;
    }
}
