namespace RlRobotics.Core.Frames;

/// <summary>
/// A fixed set of named interface values (<c>joint/position</c>, ...) stored in one array, so the real-time
/// loop passes them around by index without allocating. Names are resolved to indices once, at bind time.
/// </summary>
public abstract class InterfaceFrame
{
    private readonly Dictionary<string, int> _index;

    protected InterfaceFrame(IReadOnlyList<string> names)
    {
        Names = names;
        Values = new double[names.Count];
        _index = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (!_index.TryAdd(names[i], i))
                throw new ArgumentException($"interface '{names[i]}' appears twice", nameof(names));
        }
    }

    /// <summary>Interface names, in storage order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Values, in the SI unit of each interface.</summary>
    public double[] Values { get; }

    public int Count => Values.Length;

    /// <summary>Index of <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var i) ? i : -1;

    /// <summary>Index of <paramref name="name"/>; throws with the known names when it is absent (bind time only).</summary>
    public int Require(string name) =>
        _index.TryGetValue(name, out var i)
            ? i
            : throw new KeyNotFoundException($"no interface '{name}'; available: {string.Join(", ", Names)}");

    public double this[string name]
    {
        get => Values[Require(name)];
        set => Values[Require(name)] = value;
    }
}

/// <summary>The state interfaces of the whole robot, as read by the hardware components in one cycle.</summary>
public sealed class StateFrame : InterfaceFrame
{
    public StateFrame(IReadOnlyList<string> names) : base(names) { }

    /// <summary>Time at which the oldest component's state was sampled, ns on the loop clock (freshness for the watchdog).</summary>
    public long Stamp_ns { get; set; }
}

/// <summary>The command interfaces of the whole robot, written by the controller and then filtered.</summary>
public sealed class CommandFrame : InterfaceFrame
{
    public CommandFrame(IReadOnlyList<string> names) : base(names) { }
}
