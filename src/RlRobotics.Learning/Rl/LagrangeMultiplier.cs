namespace RlRobotics.Learning.Rl;

/// <summary>
/// The cost multiplier λ ≥ 0 of a Lagrangian method: once per iteration, before the policy update, it sees the mean
/// episode cost J_c and moves so that J_c approaches the limit d. The policy then follows (A_r − λ A_c)/(1 + λ).
/// </summary>
public interface ICostMultiplier
{
    double Lambda { get; }

    /// <summary>Updates λ from this iteration's mean episode cost.</summary>
    void Update(double meanEpisodeCost);
}

/// <summary>
/// Projected dual ascent, as OmniSafe's PPO-Lagrangian does it: one Adam step on the loss −λ (J_c − d), then
/// λ ← clip(λ, 0, λ_max). (With Adam λ moves by about its learning rate per iteration whatever the size of the
/// violation; that is the behaviour the PID Lagrangian improves on.)
/// </summary>
public sealed class LagrangeMultiplier : ICostMultiplier
{
    private readonly double _limit, _lr, _max;
    private double _m, _v;
    private int _t;

    public LagrangeMultiplier(double costLimit, double initial, double learningRate, double max)
    {
        _limit = costLimit;
        Lambda = initial;
        _lr = learningRate;
        _max = max;
    }

    public double Lambda { get; private set; }

    public void Update(double meanEpisodeCost)
    {
        if (!double.IsFinite(meanEpisodeCost)) return;
        // ∂/∂λ of −λ (J_c − d) is −(J_c − d); Adam with β = (0.9, 0.999), ε = 1e-8.
        var g = -(meanEpisodeCost - _limit);
        _t++;
        _m = 0.9 * _m + 0.1 * g;
        _v = 0.999 * _v + 0.001 * g * g;
        var mHat = _m / (1 - Math.Pow(0.9, _t));
        var vHat = _v / (1 - Math.Pow(0.999, _t));
        Lambda = Math.Clamp(Lambda - _lr * mHat / (Math.Sqrt(vHat) + 1e-8), 0, _max);
    }
}

/// <summary>
/// The PID Lagrangian (Stooke, Achiam &amp; Abbeel 2020) with OmniSafe's update: with e = J_c − d,
/// I ← max(0, I + K_i e); P = EMA(e); D = max(0, EMA(J_c) − EMA(J_c) from <c>delay</c> iterations earlier);
/// λ = clip(K_p P + I + K_d D, 0, λ_max). The proportional and derivative terms damp the overshoot and oscillation of
/// pure integral (dual-ascent) control.
/// </summary>
public sealed class PidLagrangeMultiplier : ICostMultiplier
{
    private readonly double _limit, _kp, _ki, _kd, _alpha, _max;
    private readonly Queue<double> _history = new();
    private readonly int _delay;
    private double _integral, _pEma, _costEma;
    private bool _started;

    public PidLagrangeMultiplier(double costLimit, double initial, double kp, double ki, double kd, int delay, double emaAlpha, double max)
    {
        (_limit, _kp, _ki, _kd, _delay, _alpha, _max) = (costLimit, kp, ki, kd, Math.Max(1, delay), emaAlpha, max);
        _integral = initial;
        Lambda = initial;
    }

    public double Lambda { get; private set; }

    public void Update(double meanEpisodeCost)
    {
        if (!double.IsFinite(meanEpisodeCost)) return;
        var error = meanEpisodeCost - _limit;
        _integral = Math.Max(0, _integral + _ki * error);
        if (!_started) { _pEma = error; _costEma = meanEpisodeCost; _started = true; }
        else
        {
            _pEma = _alpha * _pEma + (1 - _alpha) * error;
            _costEma = _alpha * _costEma + (1 - _alpha) * meanEpisodeCost;
        }
        var earlier = _history.Count > 0 ? _history.Peek() : _costEma;
        var derivative = Math.Max(0, _costEma - earlier);
        _history.Enqueue(_costEma);
        if (_history.Count > _delay) _history.Dequeue();
        Lambda = Math.Clamp(_kp * _pEma + _integral + _kd * derivative, 0, _max);
    }
}
