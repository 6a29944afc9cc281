using ArtBot.Engine.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Tests.Algorithms;

public sealed class LbfgsTests
{
    public LbfgsTests() => Native.TorchNative.EnsureLoaded();

    // f(x) = ½ Σ aᵢ xᵢ² − Σ bᵢ xᵢ + ¼ Σ xᵢ⁴: curved unevenly, and not quadratic, so the curvature pairs differ step to step.
    private static readonly double[] A = Enumerable.Range(0, 12).Select(i => 1.0 + 3.0 * i).ToArray();
    private static readonly double[] B = Enumerable.Range(0, 12).Select(i => Math.Sin(i + 1.0) * 4).ToArray();

    private static double[] Gradient(double[] x) => x.Select((v, i) => A[i] * v - B[i] + v * v * v).ToArray();

    /// <summary>The textbook two-loop recursion (Nocedal &amp; Wright 7.4) in doubles, pairs in a plain list.</summary>
    private static List<double[]> Reference(int steps, int history)
    {
        static double Dot(double[] u, double[] v) => u.Zip(v, (p, q) => p * q).Sum();
        var x = new double[A.Length];
        var pairs = new List<(double[] S, double[] Y, double Rho)>();
        double gamma = 1;
        double[]? previousGradient = null, previousStep = null;
        var path = new List<double[]>();
        for (var k = 0; k < steps; k++)
        {
            var g = Gradient(x);
            double[] step;
            if (previousGradient is null)
            {
                var length = Math.Min(1.0, 1.0 / g.Sum(Math.Abs));
                step = g.Select(v => -v * length).ToArray();
            }
            else
            {
                var y = g.Zip(previousGradient, (p, q) => p - q).ToArray();
                var s = previousStep!;
                var ys = Dot(y, s);
                var good = ys > 1e-10;
                if (good) gamma = ys / Math.Max(Dot(y, y), 1e-20);
                pairs.Add((s, y, good ? 1 / ys : 0));
                if (pairs.Count > history) pairs.RemoveAt(0);
                var q = g.Select(v => -v).ToArray();
                var alphas = new double[pairs.Count];
                for (var i = pairs.Count - 1; i >= 0; i--)
                {
                    alphas[i] = Dot(pairs[i].S, q) * pairs[i].Rho;
                    for (var j = 0; j < q.Length; j++) q[j] -= pairs[i].Y[j] * alphas[i];
                }
                for (var j = 0; j < q.Length; j++) q[j] *= gamma;
                for (var i = 0; i < pairs.Count; i++)
                {
                    var beta = Dot(pairs[i].Y, q) * pairs[i].Rho;
                    for (var j = 0; j < q.Length; j++) q[j] += pairs[i].S[j] * (alphas[i] - beta);
                }
                step = q;
            }
            x = x.Zip(step, (p, q) => p + q).ToArray();
            previousGradient = g;
            previousStep = step;
            path.Add(x);
        }
        return path;
    }

    [Theory]
    [InlineData(3)]   // the ring wraps many times
    [InlineData(40)]  // it never fills
    public void Steps_follow_the_textbook_recursion_however_often_the_history_wraps(int history)
    {
        const int steps = 25;
        var expected = Reference(steps, history);
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(A, dtype: ScalarType.Float64);
        var b = torch.tensor(B, dtype: ScalarType.Float64);
        using var x = new TorchSharp.Modules.Parameter(torch.zeros(A.Length, dtype: ScalarType.Float64), requires_grad: true);
        using var lbfgs = new Lbfgs(x, history);
        for (var k = 0; k < steps; k++)
        {
            using var step = torch.NewDisposeScope();
            lbfgs.Step(() =>
            {
                var loss = (0.5 * a * x.square() - b * x + 0.25 * x.pow(4)).sum();
                loss.backward();
                return loss;
            });
            var actual = x.detach().data<double>().ToArray();
            for (var j = 0; j < actual.Length; j++)
                Assert.True(Math.Abs(actual[j] - expected[k][j]) <= 1e-9 * Math.Max(1, Math.Abs(expected[k][j])),
                    $"step {k}, x[{j}]: {actual[j]} against {expected[k][j]}");
        }
        // And it does what it is for: the gradient vanishes at the end.
        Assert.True(Gradient(expected[^1]).Max(Math.Abs) < 1e-6);
    }
}
