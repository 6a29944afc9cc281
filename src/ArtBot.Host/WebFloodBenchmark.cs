using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace ArtBot.Host;

public sealed record WebFloodReport(
    [property: JsonPropertyName("uploads")] int Uploads,
    [property: JsonPropertyName("files_per_upload")] int FilesPerUpload,
    [property: JsonPropertyName("file_mb")] double FileMb,
    [property: JsonPropertyName("page_loads")] int PageLoads,
    [property: JsonPropertyName("sessions_made")] int SessionsMade,
    [property: JsonPropertyName("answers")] IReadOnlyDictionary<string, int> Answers,
    [property: JsonPropertyName("idle_rss_mb")] double IdleRssMb,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMb,
    [property: JsonPropertyName("peak_over_idle_mb")] double PeakOverIdleMb,
    [property: JsonPropertyName("database_growth_mb")] double DatabaseGrowthMb,
    [property: JsonPropertyName("seconds")] double Seconds);

/// <summary>
/// <c>artbot bench-web-flood</c>: the web chat as one attacker meets it. The real bot (web chat
/// only, a throwaway database) in this process; one network loads the page as often as uploads
/// will be sent (each load that the network's allowance permits is a session), then sends all the
/// uploads at once, each of many big photos, over the sessions it got (cookie-less when it ran out).
/// Prints the answers by status, the process's peak RSS over idle, and how much the database grew.
/// </summary>
public static class WebFloodBenchmark
{
    public static async Task<WebFloodReport> RunAsync(int uploads, int files, int fileMb, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("artbot-flood-").FullName;
        var database = Path.Combine(folder, "artbot.db");
        var port = FreePort();
        try
        {
            var photo = await Task.Run(() => Photo(fileMb), ct);
            var builder = BotHost.CreateBuilder(new Dictionary<string, string?>
            {
                ["Web:Enabled"] = "true", ["Web:Port"] = $"{port}", ["Queue:DatabasePath"] = database, ["Ops:Enabled"] = "false",
            }, LogLevel.Error);
            using var host = builder.Build();
            await host.StartAsync(ct);
            try
            {
                var url = $"http://127.0.0.1:{port}";
                GC.Collect();
                await Task.Delay(500, ct);
                var idle = Rss();
                var size = Bytes(database);
                var peak = idle;
                using var sampling = new CancellationTokenSource();
                var sampler = Task.Run(async () =>
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        peak = Math.Max(peak, Rss());
                        await Task.Delay(20, CancellationToken.None);
                    }
                }, CancellationToken.None);

                var clock = Stopwatch.StartNew();
                var sessions = new List<HttpClient>();
                using var anonymous = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
                for (var i = 0; i < uploads; i++)
                {
                    var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
                    if ((await client.GetAsync("/", ct)).IsSuccessStatusCode) sessions.Add(client);
                    else client.Dispose();
                }
                var answers = await Task.WhenAll(Enumerable.Range(0, uploads).Select(async i =>
                {
                    var form = new MultipartFormDataContent();
                    for (var f = 0; f < files; f++)
                    {
                        var part = new ByteArrayContent(photo);
                        part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                        form.Add(part, "files", $"photo{f}.jpg");
                    }
                    try
                    {
                        using var response = await (sessions.Count > 0 ? sessions[i % sessions.Count] : anonymous).PostAsync("/api/send", form, ct);
                        return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    catch (HttpRequestException e)
                    {
                        return e.GetType().Name;
                    }
                }));
                var seconds = clock.Elapsed.TotalSeconds;
                await sampling.CancelAsync();
                await sampler;
                foreach (var client in sessions) client.Dispose();
                return new WebFloodReport(uploads, files, Math.Round(photo.Length / 1048576.0, 1), uploads, sessions.Count,
                    answers.GroupBy(a => a).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
                    Mb(idle), Mb(peak), Mb(peak - idle), Math.Round((Bytes(database) - size) / 1048576.0, 1), Math.Round(seconds, 1));
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A noisy photo (it compresses little) of about <paramref name="mb"/> MB as a JPEG.</summary>
    private static byte[] Photo(int mb)
    {
        // Noise costs about 0.9 bytes a pixel at this quality; one correction lands within a few per cent.
        var first = Noise(mb * 1048576 / 0.9);
        return Noise(mb * 1048576 / 0.9 * (mb * 1048576.0 / first.Length));
    }

    private static byte[] Noise(double area)
    {
        var side = (int)Math.Sqrt(area);
        var (width, height) = (side * 4 / 3, side * 3 / 4);
        using var bitmap = new SKBitmap(width, height);
        var pixels = new byte[width * height * 4];
        new Random(7).NextBytes(pixels);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 92);
        return data.ToArray();
    }

    private static long Rss()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private static double Mb(long bytes) => Math.Round(bytes / 1048576.0);

    private static long Bytes(string database) => new[] { database, database.Replace(".db", "-log.db") }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
