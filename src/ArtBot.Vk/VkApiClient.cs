using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace ArtBot.Vk;

/// <summary>Settings of the VK API client (section <c>Vk</c>). The token comes from the environment and is never logged.</summary>
public sealed record VkApiSettings(string Token, long GroupId, string BaseUrl = "https://api.vk.com", string Version = "5.199", int MaxRetries = 5);

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
public sealed class VkApiClient(HttpClient http, VkApiSettings settings, ILogger<VkApiClient> logger)
{
    public const int AccessDenied = 5, TooManyRequests = 6, FloodControl = 9, InternalError = 10, CannotSendToUser = 901;

    public VkApiSettings Settings => settings;

    public async Task<JsonNode?> CallAsync(string method, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var form = new Dictionary<string, string>(parameters) { ["access_token"] = settings.Token, ["v"] = settings.Version };
            JsonNode? body;
            try
            {
                using var response = await http.PostAsync($"{settings.BaseUrl.TrimEnd('/')}/method/{method}", new FormUrlEncodedContent(form), cancellationToken);
                if ((int)response.StatusCode >= 500) throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
                body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested && attempt < settings.MaxRetries)
            {
                logger.LogWarning("VK {Method}: {Problem}; retry {Attempt}", method, e.GetType().Name, attempt);
                await Task.Delay(Backoff(attempt), cancellationToken);
                continue;
            }

            if (body?["error"] is not { } error) return body?["response"];
            var code = (int?)error["error_code"] ?? 0;
            var message = (string?)error["error_msg"] ?? "unknown error";
            if (code is TooManyRequests or FloodControl or InternalError && attempt < settings.MaxRetries)
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

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, attempt - 1)));

    /// <summary>groups.getLongPollServer: where and with which key and ts to poll.</summary>
    public async Task<(string Server, string Key, string Ts)> GetLongPollServerAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("groups.getLongPollServer",
            new Dictionary<string, string> { ["group_id"] = settings.GroupId.ToString(CultureInfo.InvariantCulture) }, cancellationToken);
        return ((string)response!["server"]!, (string)response["key"]!, response["ts"]!.ToString());
    }
}
