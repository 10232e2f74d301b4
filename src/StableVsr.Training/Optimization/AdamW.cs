using StableVsr.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace StableVsr.Training.Optimization;

/// <summary>
/// AdamW with decoupled weight decay, step for step as torch 1.13's single-tensor <c>torch.optim.AdamW</c> (which train.py
/// uses): for step k, <c>p *= 1 − lr·wd</c>; <c>m = β1·m + (1 − β1)·g</c>; <c>v = β2·v + (1 − β2)·g²</c>;
/// <c>p −= lr/(1 − β1^k) · m / (sqrt(v)/sqrt(1 − β2^k) + eps)</c>, the scalars in double as Python computes them.
/// Written out rather than taken from TorchSharp so that the moments are named by parameter and saved in checkpoints
/// as plain tensors.
/// </summary>
internal sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<(string Name, Tensor Parameter)> parameters;
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> state = new(StringComparer.Ordinal);
    private readonly double beta1;
    private readonly double beta2;
    private readonly double weightDecay;
    private readonly double epsilon;

    /// <summary>Creates the optimizer over named parameters with empty state (no step taken).</summary>
    public AdamW(IReadOnlyList<(string Name, Tensor Parameter)> parameters, double beta1, double beta2, double weightDecay, double epsilon)
    {
        this.parameters = parameters;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.weightDecay = weightDecay;
        this.epsilon = epsilon;
    }

    /// <summary>Optimizer steps taken (torch's per-parameter <c>state['step']</c>, the same for every parameter here).</summary>
    public long StepCount { get; private set; }

    /// <summary>The parameters, by name.</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> Parameters => parameters;

    /// <summary>Updates every parameter that has a gradient with learning rate <paramref name="learningRate"/>.</summary>
    public void Step(double learningRate)
    {
        using var noGrad = no_grad();
        StepCount++;
        var bias1 = 1 - Math.Pow(beta1, StepCount);
        var bias2 = 1 - Math.Pow(beta2, StepCount);
        var stepSize = learningRate / bias1;
        var bias2Sqrt = Math.Sqrt(bias2);

        // Held for the step: they follow the step count and the learning-rate schedule, and a temporary Scalar can be
        // freed while libtorch reads it (SVSR001).
        using var decay = (1 - (learningRate * weightDecay)).ToScalar();
        using var beta1Scalar = beta1.ToScalar();
        using var oneMinusBeta1 = (1 - beta1).ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta2 = (1 - beta2).ToScalar();
        using var bias2SqrtScalar = bias2Sqrt.ToScalar();
        using var epsilonScalar = epsilon.ToScalar();
        using var negativeStepSize = (-stepSize).ToScalar();
        foreach (var (name, parameter) in parameters)
        {
            using var scope = NewDisposeScope();
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            var (expAvg, expAvgSq) = State(name, parameter);
            parameter.mul_(decay);
            expAvg.mul_(beta1Scalar).add_(grad, alpha: oneMinusBeta1);
            expAvgSq.mul_(beta2Scalar).addcmul_(grad, grad, value: oneMinusBeta2);
            var denominator = expAvgSq.sqrt().div(bias2SqrtScalar).add_(epsilonScalar, ScalarCache.Of(1));
            parameter.addcdiv_(expAvg, denominator, value: negativeStepSize);
        }
    }

    /// <summary>Zeroes every gradient in place (train.py's <c>zero_grad(set_to_none=False)</c>).</summary>
    public void ZeroGrad()
    {
        // In-place operations hand back a new handle: the scope releases those with the gradient handles.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (_, parameter) in parameters)
        {
            parameter.grad?.zero_();
        }
    }

    /// <summary>The moments to save: <c>exp_avg.NAME</c> and <c>exp_avg_sq.NAME</c> for every parameter with state.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors()
    {
        foreach (var (name, _) in parameters)
        {
            if (state.TryGetValue(name, out var moments))
            {
                yield return new($"exp_avg.{name}", moments.ExpAvg);
                yield return new($"exp_avg_sq.{name}", moments.ExpAvgSq);
            }
        }
    }

    /// <summary>Restores the step count and moments saved by <see cref="StateTensors"/>; <paramref name="load"/> returns null for a missing key.</summary>
    /// <exception cref="ModelLoadException">A moment is missing or has another shape than its parameter.</exception>
    public void Restore(long stepCount, Func<string, Tensor?> load, string origin)
    {
        ArgumentNullException.ThrowIfNull(load);
        ClearState();
        StepCount = stepCount;
        if (stepCount == 0)
        {
            return;
        }

        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            var expAvg = load($"exp_avg.{name}");
            var expAvgSq = load($"exp_avg_sq.{name}");
            if (expAvg is null || expAvgSq is null)
            {
                expAvg?.Dispose();
                expAvgSq?.Dispose();
                throw new ModelLoadException($"Optimizer state '{origin}' has no moments for parameter '{name}': it was saved for another ControlNet.", origin);
            }

            if (!expAvg.shape.SequenceEqual(parameter.shape) || !expAvgSq.shape.SequenceEqual(parameter.shape))
            {
                var shape = string.Join(", ", expAvg.shape);
                expAvg.Dispose();
                expAvgSq.Dispose();
                throw new ModelLoadException($"Optimizer state '{origin}': the moments of '{name}' are [{shape}] but the parameter is [{string.Join(", ", parameter.shape)}].", origin);
            }

            state[name] = (Keep(expAvg.to(parameter.dtype, parameter.device), expAvg), Keep(expAvgSq.to(parameter.dtype, parameter.device), expAvgSq));
        }
    }

    /// <inheritdoc />
    public void Dispose() => ClearState();

    private static Tensor Keep(Tensor moved, Tensor original)
    {
        if (!ReferenceEquals(moved, original))
        {
            original.Dispose();
        }

        return moved.DetachFromDisposeScope();
    }

    private (Tensor ExpAvg, Tensor ExpAvgSq) State(string name, Tensor parameter)
    {
        if (!state.TryGetValue(name, out var moments))
        {
            moments = (zeros_like(parameter).DetachFromDisposeScope(), zeros_like(parameter).DetachFromDisposeScope());
            state[name] = moments;
        }

        return moments;
    }

    private void ClearState()
    {
        foreach (var (expAvg, expAvgSq) in state.Values)
        {
            expAvg.Dispose();
            expAvgSq.Dispose();
        }

        state.Clear();
    }
}
