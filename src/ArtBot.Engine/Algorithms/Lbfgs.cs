using TorchSharp;
using static TorchSharp.torch;

namespace ArtBot.Engine.Algorithms;

/// <summary>
/// Limited-memory BFGS on one tensor, one function evaluation per step and no line search
/// (as torch.optim.LBFGS does with max_iter = 1), so every step can report progress and honour
/// cancellation. Written here because its history must outlive the per-iteration dispose
/// scope; every tensor it keeps is detached from scopes and disposed by it.
/// Nocedal &amp; Wright, Numerical Optimization, algorithm 7.4 (two-loop recursion).
/// </summary>
internal sealed class Lbfgs(Tensor parameter, int historySize, double learningRate = 1.0) : IDisposable
{
    private readonly LinkedList<(Tensor S, Tensor Y, Tensor Rho)> history = new();
    private Tensor? previousGradient;
    private Tensor? scaling;
    private Tensor? previousStep;

    /// <summary>
    /// One step. <paramref name="evaluate"/> computes the loss and leaves its gradient in
    /// <c>parameter.grad</c>. Call inside a dispose scope.
    /// </summary>
    /// <returns>The loss before the step, a 0-d tensor on the device (reading it is the caller's choice: it waits for the device).</returns>
    public Tensor Step(Func<Tensor> evaluate)
    {
        var loss = evaluate();
        var gradient = parameter.grad ?? throw new InvalidOperationException("evaluate() must call backward()");
        using var noGrad = torch.no_grad();
        var g = gradient.flatten().clone();

        Tensor direction;
        double stepLength;
        if (previousGradient is null)
        {
            direction = g.neg();
            stepLength = Math.Min(1.0, 1.0 / g.abs().sum().item<float>()) * learningRate;
        }
        else
        {
            var y = (g - previousGradient).DetachFromDisposeScope();
            var s = previousStep!;
            previousStep = null;
            // The curvature test stays on the device, so a step never waits for the GPU: a pair
            // that fails it (yᵀs ≤ 1e-10) gets ρ = 0, which makes it a no-op in both loops, and the
            // scaling keeps the last good pair's γ. Unlike skipping, such a pair takes a history
            // slot; it is rare, and only costs a little memory of curvature.
            var ys = y.dot(s);
            var good = ys.gt(1e-10);
            var rho = torch.where(good, ys.reciprocal(), torch.zeros_like(ys)).DetachFromDisposeScope();
            var gamma = ys / y.dot(y).clamp_min(1e-20);
            if (scaling is null) scaling = torch.where(good, gamma, torch.ones_like(gamma)).DetachFromDisposeScope();
            else scaling.copy_(torch.where(good, gamma, scaling));
            history.AddLast((s, y, rho));
            if (history.Count > historySize)
            {
                var (oldS, oldY, oldRho) = history.First!.Value;
                oldS.Dispose();
                oldY.Dispose();
                oldRho.Dispose();
                history.RemoveFirst();
            }

            // The two-loop recursion, its scalars 0-d tensors on the device.
            var q = g.neg();
            var alphas = new Tensor[history.Count];
            var i = history.Count - 1;
            for (var node = history.Last; node != null; node = node.Previous, i--)
            {
                alphas[i] = node.Value.S.dot(q).mul_(node.Value.Rho);
                q.sub_(node.Value.Y * alphas[i]);
            }
            q.mul_(scaling);
            i = 0;
            for (var node = history.First; node != null; node = node.Next, i++)
            {
                var beta = node.Value.Y.dot(q).mul_(node.Value.Rho);
                q.add_(node.Value.S * (alphas[i] - beta));
            }
            direction = q;
            stepLength = learningRate;
        }

        var step = (direction * stepLength).DetachFromDisposeScope();
        parameter.add_(step.view_as(parameter));
        parameter.grad!.zero_();

        previousGradient?.Dispose();
        previousGradient = g.DetachFromDisposeScope();
        previousStep = step;
        return loss.detach();
    }

    public void Dispose()
    {
        foreach (var (s, y, rho) in history)
        {
            s.Dispose();
            y.Dispose();
            rho.Dispose();
        }
        history.Clear();
        scaling?.Dispose();
        previousGradient?.Dispose();
        previousStep?.Dispose();
    }
}
