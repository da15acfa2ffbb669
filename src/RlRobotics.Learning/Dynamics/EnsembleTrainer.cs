using RlRobotics.Learning.Data;
using RlRobotics.Learning.Nn;
using RlRobotics.Learning.Optim;

namespace RlRobotics.Learning.Dynamics;

/// <summary>What one fit did: epochs, the training NLL and the validation error of the kept weights.</summary>
public sealed record FitReport(int Epochs, int TrainRows, int ValidationRows, double TrainNll, double ValidationMse, double Seconds);

/// <summary>Held-out quality of the model on transitions it was not fitted to.</summary>
public sealed record ModelEvaluation(int Rows, double Mse, double Nll);

/// <summary>
/// Fits an <see cref="EnsembleDynamicsModel"/> to a replay buffer, as PETS and mbrl-lib do: normalisers refit to the
/// training rows, a held-out validation split, one bootstrap resample per member, minibatch Adam on the Gaussian NLL,
/// and early stopping on the validation MSE with each member's best weights kept. Training continues from the model's
/// current weights, so refits after each episode are short.
/// </summary>
public sealed class EnsembleTrainer
{
    private readonly EnsembleDynamicsModel _model;
    private readonly Adam _adam;
    private readonly Random _random;
    private MlpWorkspace? _ws;

    public EnsembleTrainer(EnsembleDynamicsModel model, EnsembleTrainingOptions? options = null)
    {
        Options = options ?? new EnsembleTrainingOptions();
        Options.Validate();
        _model = model;
        _adam = new Adam(new[] { model.Net.Parameters, model.Bounds },
            new AdamOptions { LearningRate = Options.LearningRate, WeightDecay = Options.WeightDecay });
        _random = new Random(Options.Seed);
    }

    public EnsembleTrainingOptions Options { get; }

    /// <summary>Gradient steps taken so far.</summary>
    public long Steps => _adam.Steps;

    /// <summary>Fits the model to every transition in <paramref name="data"/>.</summary>
    public FitReport Fit(ReplayBuffer data, Action<int, double>? onEpoch = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        int n = _model.StateSize, f = _model.FeatureSize, e = _model.Members, rows = data.Count;
        if (rows < 2) throw new InvalidOperationException("fitting needs at least two transitions");
        var features = new float[rows * f];
        var targets = new float[rows * n];
        for (var r = 0; r < rows; r++)
        {
            _model.Features(data.State(r), data.Control(r), features.AsSpan(r * f, f));
            _model.Target(data.State(r), data.Next(r), targets.AsSpan(r * n, n));
        }

        // Split, then normalise with statistics of the training rows only.
        var order = Enumerable.Range(0, rows).ToArray();
        _random.Shuffle(order);
        var validation = rows >= 10 ? Math.Max(1, (int)Math.Round(Options.ValidationFraction * rows)) : 0;
        var val = order[..validation];
        var train = order[validation..];
        var trainFeatures = Gather(features, train, f);
        var trainTargets = Gather(targets, train, n);
        _model.InputNormaliser.Fit(trainFeatures, train.Length);
        _model.TargetNormaliser.Fit(trainTargets, train.Length);
        _model.InputNormaliser.Apply(features, features);
        _model.TargetNormaliser.Apply(targets, targets);

        var batch = Math.Min(Options.BatchSize, train.Length);
        if (_ws is null || _ws.MaxBatch < Math.Max(batch, validation)) _ws = _model.Net.CreateWorkspace(Math.Max(batch, Math.Max(validation, 1)));
        var members = new int[e][];
        for (var m = 0; m < e; m++)
            members[m] = Options.Bootstrap && e > 1 ? Enumerable.Range(0, train.Length).Select(_ => train[_random.Next(train.Length)]).ToArray() : train.ToArray();

        var x = new float[e * batch * f];
        var y = new float[e * batch * n];
        var dOut = new float[e * batch * 2 * n];
        var sets = new[] { _model.Net.Parameters, _model.Bounds };
        var best = (float[])_model.Net.Parameters.Values.Clone();
        var bestScore = Enumerable.Repeat(double.PositiveInfinity, e).ToArray();
        var memberMse = new double[e];
        var sinceBetter = 0;
        var epochs = 0;
        double trainNll = double.NaN;
        var stepsPerEpoch = (train.Length + batch - 1) / batch;
        for (var epoch = 0; epoch < Options.MaxEpochs; epoch++)
        {
            epochs++;
            foreach (var idx in members) _random.Shuffle(idx);
            double epochLoss = 0;
            for (var step = 0; step < stepsPerEpoch; step++)
            {
                for (var m = 0; m < e; m++)
                    for (var b = 0; b < batch; b++)
                    {
                        var row = members[m][(step * batch + b) % train.Length];
                        features.AsSpan(row * f, f).CopyTo(x.AsSpan((m * batch + b) * f, f));
                        targets.AsSpan(row * n, n).CopyTo(y.AsSpan((m * batch + b) * n, n));
                    }
                foreach (var s in sets) s.ZeroGradients();
                var output = _model.Net.Forward(_ws, x, batch);
                var bounds = _model.Bounds;
                epochLoss += GaussianNll.Evaluate(output, y, e * batch, batch, n, _model.MaxLogVar, _model.MinLogVar, Options.BoundWeight,
                    dOut, bounds.Gradients.AsSpan(0, n), bounds.Gradients.AsSpan(n, n));
                _model.Net.Backward(_ws, dOut, batch);
                if (Options.ClipNorm > 0) ParameterSet.ClipGradientNorm(sets, Options.ClipNorm);
                _adam.Step();
            }
            trainNll = epochLoss / stepsPerEpoch / e;
            onEpoch?.Invoke(epoch, trainNll);
            if (validation == 0) continue;

            // Early stopping: keep each member's best weights; stop when none improved by 1 % for `patience` epochs.
            ValidationMse(features, targets, val, memberMse);
            var improved = false;
            for (var m = 0; m < e; m++)
            {
                if (memberMse[m] < bestScore[m] * 0.99 || double.IsPositiveInfinity(bestScore[m]))
                {
                    improved |= memberMse[m] < bestScore[m] * 0.99;
                    bestScore[m] = Math.Min(bestScore[m], memberMse[m]);
                    _model.Net.CopyMember(m, _model.Net.Parameters.Values, best);
                }
            }
            sinceBetter = improved ? 0 : sinceBetter + 1;
            if (sinceBetter >= Options.Patience) break;
        }
        if (validation > 0) best.AsSpan().CopyTo(_model.Net.Parameters.Values);
        _model.Fits++;
        var valMse = validation > 0 ? bestScore.Average() : double.NaN;
        return new FitReport(epochs, train.Length, validation, trainNll, valMse, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    // Per-member MSE of μ on the validation rows (normalised units).
    private void ValidationMse(float[] features, float[] targets, int[] val, double[] mse)
    {
        int n = _model.StateSize, f = _model.FeatureSize, e = _model.Members;
        var x = new float[e * val.Length * f];
        for (var m = 0; m < e; m++)
            for (var b = 0; b < val.Length; b++) features.AsSpan(val[b] * f, f).CopyTo(x.AsSpan((m * val.Length + b) * f, f));
        var output = _model.Net.Infer(_ws!, x, val.Length);
        for (var m = 0; m < e; m++)
        {
            double s = 0;
            for (var b = 0; b < val.Length; b++)
                for (var i = 0; i < n; i++)
                {
                    var d = output[(m * val.Length + b) * 2 * n + i] - targets[val[b] * n + i];
                    s += d * d;
                }
            mse[m] = s / (val.Length * n);
        }
    }

    /// <summary>
    /// MSE of the ensemble-mean prediction of x⁺ (raw units, averaged over dimensions) and the Gaussian NLL per
    /// dimension of the targets under the members' predictions (normalised units, averaged over members), on
    /// <paramref name="data"/> rows [start, start + count).
    /// </summary>
    public static ModelEvaluation Evaluate(EnsembleDynamicsModel model, ReplayBuffer data, int start, int count)
    {
        int n = model.StateSize, f = model.FeatureSize, e = model.Members;
        if (count <= 0) return new ModelEvaluation(0, double.NaN, double.NaN);
        var ws = model.Net.CreateWorkspace(count);
        var x = new float[e * count * f];
        var targets = new float[count * n];
        for (var r = 0; r < count; r++)
        {
            model.NormalisedFeatures(data.State(start + r), data.Control(start + r), x.AsSpan(r * f, f));
            model.Target(data.State(start + r), data.Next(start + r), targets.AsSpan(r * n, n));
        }
        for (var m = 1; m < e; m++) x.AsSpan(0, count * f).CopyTo(x.AsSpan(m * count * f, count * f));
        var output = model.Net.Infer(ws, x, count);
        var mean = model.TargetNormaliser.Mean;
        var std = model.TargetNormaliser.Std;
        double se = 0, nll = 0;
        for (var r = 0; r < count; r++)
            for (var i = 0; i < n; i++)
            {
                double mu = 0;
                for (var m = 0; m < e; m++)
                {
                    var o = output.Slice((m * count + r) * 2 * n, 2 * n);
                    mu += o[i];
                    var lv = GaussianNll.LogVariance(o[n + i], model.MaxLogVar[i], model.MinLogVar[i]);
                    var z = (targets[r * n + i] - mean[i]) / std[i] - o[i];
                    nll += 0.5 * (z * z * Math.Exp(-lv) + lv + Math.Log(2 * Math.PI)) / e;
                }
                var d = mu / e * std[i] + mean[i] - targets[r * n + i];
                se += d * d;
            }
        return new ModelEvaluation(count, se / (count * n), nll / (count * n));
    }

    private static float[] Gather(float[] source, int[] rows, int width)
    {
        var result = new float[rows.Length * width];
        for (var i = 0; i < rows.Length; i++) source.AsSpan(rows[i] * width, width).CopyTo(result.AsSpan(i * width, width));
        return result;
    }
}
