namespace ArtBot.Web.Tests;

/// <summary>
/// The compose files, checked statically (no Docker engine here): PostgreSQL, a receiver and
/// workers on it, secrets from the environment, the workers' GPU variant.
/// </summary>
public sealed class ComposeTests
{
    private static readonly string Root = ArtBot.Scenarios.TestPaths.RepoRoot;
    private static readonly string Cpu = File.ReadAllText(Path.Combine(Root, "compose.yaml"));
    private static readonly string Gpu = File.ReadAllText(Path.Combine(Root, "compose.gpu.yaml"));

    [Fact]
    public void A_receiver_and_workers_share_one_postgres()
    {
        foreach (var service in new[] { "  postgres:", "  receiver:", "  worker:" }) Assert.Contains("\n" + service + "\n", Cpu);
        Assert.Contains("command: [\"run\", \"--role\", \"receiver\"]", Cpu);
        Assert.Contains("command: [\"run\", \"--role\", \"worker\"]", Cpu);
        Assert.Contains("ARTBOT_Storage__Provider: postgres", Cpu);
        Assert.Contains("condition: service_healthy", Cpu);
        Assert.Contains("pg_isready", Cpu);
        // Secrets come from the environment, never from the file.
        Assert.Contains("${POSTGRES_PASSWORD:?", Cpu);
        Assert.Contains("ARTBOT_Telegram__Token: ${ARTBOT_TELEGRAM_TOKEN:-}", Cpu);
        Assert.DoesNotMatch(@"Token: [0-9]{6,}:", Cpu);
        Assert.True(File.Exists(Path.Combine(Root, "Dockerfile")));
    }

    [Fact]
    public void Every_role_runs_one_named_image_and_is_given_time_to_hand_its_job_back()
    {
        Assert.Contains("image: ${ARTBOT_IMAGE:-artbot:local}", Cpu);
        // Docker's default is 10 s; a render step and the hand-back take longer on a CPU.
        var grace = System.Text.RegularExpressions.Regex.Match(Cpu, @"stop_grace_period: (\d+)s");
        Assert.True(grace.Success && int.Parse(grace.Groups[1].Value) >= 60, "stop_grace_period of at least 60 s");
        Assert.Contains("- \"8081\"", Cpu);   // each worker's /metrics on the compose network
        Assert.Contains("image: ${ARTBOT_GPU_IMAGE:-artbot:local-gpu}", Gpu);
    }

    [Fact]
    public void The_gpu_variant_builds_workers_from_the_cuda_image_with_a_gpu_each()
    {
        Assert.Contains("dockerfile: Dockerfile.cuda", Gpu);
        Assert.Contains("driver: nvidia", Gpu);
        Assert.Contains("capabilities: [gpu]", Gpu);
        Assert.True(File.Exists(Path.Combine(Root, "Dockerfile.cuda")));
    }
}
