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
/// <remarks>
/// The whole history is allocated once, up front, as one ring of step/gradient-change pairs.
/// Allocating a pair per step interleaved long-lived blocks with the activations a render frees
/// and re-allocates every iteration, and the allocator, unable to fit those into the holes, mapped
/// new memory until the history was full: a third of Gatys's peak resident memory at 600 px.
/// </remarks>
internal sealed class Lbfgs : IDisposable
{
    private readonly Tensor parameter;
    private readonly double learningRate;
    private readonly int historySize;
    // Row k of each: the k-th pair of the ring (s = step taken, y = change of gradient it caused).
    private readonly Tensor steps;
    private readonly Tensor changes;
    private readonly Tensor rho;
    // γ = sᵀy / yᵀy of the newest pair that passed the curvature test: the initial Hessian's scale.
    private readonly Tensor scaling;
    private readonly Tensor previousGradient;
    private readonly Tensor previousStep;
    private readonly Tensor direction;
    private bool started;
    private int count;
    private int newest = -1;

    public Lbfgs(Tensor parameter, int historySize, double learningRate = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historySize, 1);
        this.parameter = parameter;
        this.historySize = historySize;
        this.learningRate = learningRate;
        var n = parameter.numel();
        using var noGrad = torch.no_grad();
        steps = torch.zeros([historySize, n], dtype: parameter.dtype, device: parameter.device).DetachFromDisposeScope();
        changes = torch.zeros([historySize, n], dtype: parameter.dtype, device: parameter.device).DetachFromDisposeScope();
        rho = torch.zeros([historySize], dtype: parameter.dtype, device: parameter.device).DetachFromDisposeScope();
        scaling = torch.ones([], dtype: parameter.dtype, device: parameter.device).DetachFromDisposeScope();
        previousGradient = torch.zeros([n], dtype: parameter.dtype, device: parameter.device).DetachFromDisposeScope();
        previousStep = torch.zeros([n], dtype: parameter.dtype, device: parameter.device).DetachFromDisposeScope();
        direction = torch.zeros([n], dtype: parameter.dtype, device: parameter.device).DetachFromDisposeScope();
    }

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
        var g = gradient.reshape(-1);

        double stepLength;
        if (!started)
        {
            direction.copy_(g).neg_();
            stepLength = Math.Min(1.0, 1.0 / g.abs().sum().ToDouble()) * learningRate;
            started = true;
        }
        else
        {
            newest = (newest + 1) % historySize;
            count = Math.Min(count + 1, historySize);
            var s = steps[newest];
            var y = changes[newest];
            s.copy_(previousStep);
            y.copy_(g).sub_(previousGradient);
            // The curvature test stays on the device, so a step never waits for the GPU: a pair
            // that fails it (yᵀs ≤ 1e-10) gets ρ = 0, which makes it a no-op in both loops, and the
            // scaling keeps the last good pair's γ. Unlike skipping, such a pair takes a history
            // slot; it is rare, and only costs a little memory of curvature.
            var ys = y.dot(s);
            var good = ys.gt(1e-10);
            rho[newest].copy_(torch.where(good, ys.reciprocal(), torch.zeros_like(ys)));
            scaling.copy_(torch.where(good, ys / y.dot(y).clamp_min(1e-20), scaling));

            // The two-loop recursion, newest pair to oldest and back, its scalars 0-d tensors on the device.
            // The products are formed apart, not fused (addcmul_): without a line search the iterates are
            // chaotic, and the fused rounding alone took a 600 px picture's final loss from 1.55 to 9.3.
            var q = direction.copy_(g).neg_();
            var alphas = new Tensor[count];
            for (var k = 0; k < count; k++)
            {
                var slot = Slot(k);
                alphas[k] = steps[slot].dot(q).mul_(rho[slot]);
                q.sub_(changes[slot] * alphas[k]);
            }
            q.mul_(scaling);
            for (var k = count - 1; k >= 0; k--)
            {
                var slot = Slot(k);
                var beta = changes[slot].dot(q).mul_(rho[slot]);
                q.add_(steps[slot] * (alphas[k] - beta));
            }
            stepLength = learningRate;
        }

        previousStep.copy_(direction).mul_(stepLength);
        parameter.add_(previousStep.view_as(parameter));
        previousGradient.copy_(g);
        parameter.grad!.zero_();
        return loss.detach();
    }

    /// <summary>The ring slot of the k-th newest pair (k = 0: the newest).</summary>
    private int Slot(int k) => (newest - k + historySize) % historySize;

    public void Dispose()
    {
        steps.Dispose();
        changes.Dispose();
        rho.Dispose();
        scaling.Dispose();
        previousGradient.Dispose();
        previousStep.Dispose();
        direction.Dispose();
    }
}
