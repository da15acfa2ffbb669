namespace RlRobotics.Ros2.Dds;

/// <summary>
/// A DDS waitset with a guard condition to wake it: readers are attached through read conditions (any sample state),
/// each with a caller-chosen token that <see cref="Wait"/> reports when that reader has data.
/// </summary>
public sealed class DdsWaitSet : IDisposable
{
    readonly DdsEntity _waitSet;
    readonly DdsEntity _guard;
    readonly Dictionary<DdsReader, DdsEntity> _conditions = new();

    /// <summary>The token <see cref="Wait"/> reports when <see cref="Wake"/> was called.</summary>
    public const nint WakeToken = -1;

    public DdsWaitSet(DdsParticipant participant)
    {
        _waitSet = new DdsEntity(DdsException.Check(DdsNative.dds_create_waitset(participant.Entity.Handle), "dds_create_waitset"));
        _guard = new DdsEntity(DdsException.Check(DdsNative.dds_create_guardcondition(participant.Entity.Handle), "dds_create_guardcondition"));
        DdsException.Check(DdsNative.dds_waitset_attach(_waitSet.Handle, _guard.Handle, WakeToken), "attaching the guard condition");
    }

    public void Attach(DdsReader reader, nint token)
    {
        lock (_conditions)
        {
            var condition = new DdsEntity(DdsException.Check(DdsNative.dds_create_readcondition(reader.Entity.Handle, DdsNative.AnyState),
                "dds_create_readcondition"));
            DdsException.Check(DdsNative.dds_waitset_attach(_waitSet.Handle, condition.Handle, token), $"attaching '{reader.Topic.Name}'");
            _conditions[reader] = condition;
        }
    }

    public void Detach(DdsReader reader)
    {
        lock (_conditions)
        {
            if (!_conditions.Remove(reader, out var condition)) return;
            DdsNative.dds_waitset_detach(_waitSet.Handle, condition.Handle);
            condition.Dispose();
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/>; fills <paramref name="triggered"/> with tokens and returns how many (0 on timeout).</summary>
    public unsafe int Wait(TimeSpan timeout, Span<nint> triggered)
    {
        var ns = timeout == Timeout.InfiniteTimeSpan ? DdsNative.Infinity : Math.Max(0, timeout.Ticks * 100);
        int n;
        fixed (nint* p = triggered) n = DdsNative.dds_waitset_wait(_waitSet.Handle, p, (nuint)triggered.Length, ns);
        DdsException.Check(n, "dds_waitset_wait");
        var count = Math.Min(n, triggered.Length);
        for (var i = 0; i < count; i++)
        {
            if (triggered[i] == WakeToken) DdsNative.dds_set_guardcondition(_guard.Handle, false);
        }
        return count;
    }

    /// <summary>Wakes a thread blocked in <see cref="Wait"/> (thread-safe).</summary>
    public void Wake() => DdsNative.dds_set_guardcondition(_guard.Handle, true);

    public void Dispose()
    {
        lock (_conditions)
        {
            foreach (var c in _conditions.Values) c.Dispose();
            _conditions.Clear();
        }
        _guard.Dispose();
        _waitSet.Dispose();
    }
}
