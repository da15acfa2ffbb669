namespace RlRobotics.Sim.Serial;

/// <summary>
/// Faults a <see cref="ServoChainDouble"/> injects, settable from any thread while it runs: replies dropped or
/// corrupted at random (seeded), replies delayed, servos gone silent, and hardware errors (overload …).
/// </summary>
public sealed class ServoFaults
{
    private readonly ServoChainDouble _chain;
    private double _drop, _corrupt;
    private long _delayTicks;
    private volatile byte[] _silent = Array.Empty<byte>();

    internal ServoFaults(ServoChainDouble chain) => _chain = chain;

    /// <summary>Probability (0 … 1) that a reply is not sent.</summary>
    public double DropReplyProbability
    {
        get => Volatile.Read(ref _drop);
        set => Volatile.Write(ref _drop, Probability(value));
    }

    /// <summary>Probability (0 … 1) that one byte of a reply is flipped after its CRC was computed.</summary>
    public double CorruptReplyProbability
    {
        get => Volatile.Read(ref _corrupt);
        set => Volatile.Write(ref _corrupt, Probability(value));
    }

    /// <summary>Delay added before every reply, on top of the servo's Return Delay Time.</summary>
    public TimeSpan ReplyDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>Servo <paramref name="id"/> stops answering and ignores everything sent to it (as if unplugged).</summary>
    public void Silence(byte id) => _silent = _silent.Append(id).Distinct().ToArray();

    /// <summary>Servo <paramref name="id"/> answers again.</summary>
    public void Restore(byte id) => _silent = _silent.Where(x => x != id).ToArray();

    public bool IsSilent(byte id) => Array.IndexOf(_silent, id) >= 0;

    /// <summary>Servo <paramref name="id"/> overloads: Hardware Error Status bit 0x20; torque off; alert bit until rebooted.</summary>
    public void Overload(byte id) => _chain.RaiseHardwareError(id, 0x20);

    /// <summary>Clears every fault except latched hardware errors (those need a reboot, as on a real servo).</summary>
    public void Clear()
    {
        DropReplyProbability = 0;
        CorruptReplyProbability = 0;
        ReplyDelay = TimeSpan.Zero;
        _silent = Array.Empty<byte>();
    }

    private static double Probability(double p) =>
        p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"a probability is 0 … 1, got {p}");
}
