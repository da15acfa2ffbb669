using System.Runtime.InteropServices;
using RlRobotics.Core.Spec;

namespace RlRobotics.Hal.Realtime;

/// <summary>One real-time request and what the OS said.</summary>
/// <param name="Setting">What was asked, e.g. <c>SCHED_FIFO priority 80</c>.</param>
/// <param name="Granted">Whether the OS granted it.</param>
/// <param name="Detail">The OS error when refused (e.g. <c>EPERM: operation not permitted</c>).</param>
public sealed record RealtimeGrant(string Setting, bool Granted, string Detail);

/// <summary>
/// Applies <see cref="RealtimeSpec"/> to the calling thread through libc (SCHED_FIFO, mlockall, timer slack,
/// CPU affinity) and reports each request as granted or refused; nothing here throws.
/// </summary>
public static partial class RealtimeSetup
{
    private const int SchedFifo = 1;
    private const int McLCurrent = 1, McLFuture = 2;
    private const int PrSetTimerslack = 29;

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam { public int Priority; }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, in SchedParam param);

    [LibraryImport("libc", EntryPoint = "mlockall", SetLastError = true)]
    private static partial int MlockAll(int flags);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial IntPtr StrError(int errnum);

    /// <summary>Applies every request in <paramref name="spec"/> to the calling thread.</summary>
    public static IReadOnlyList<RealtimeGrant> ApplyToCurrentThread(RealtimeSpec spec)
    {
        var grants = new List<RealtimeGrant>();
        if (!OperatingSystem.IsLinux())
        {
            if (spec.SchedFifoPriority > 0 || spec.LockMemory || spec.TimerSlack_ns > 0 || spec.CpuAffinity.Count > 0)
                grants.Add(new RealtimeGrant("real-time settings", false, "only supported on Linux"));
            return grants;
        }
        if (spec.LockMemory)
            grants.Add(Result("mlockall(MCL_CURRENT|MCL_FUTURE)", MlockAll(McLCurrent | McLFuture)));
        if (spec.TimerSlack_ns > 0)
            grants.Add(Result($"timer slack {spec.TimerSlack_ns} ns", Prctl(PrSetTimerslack, (ulong)spec.TimerSlack_ns, 0, 0, 0)));
        if (spec.CpuAffinity.Count > 0)
            grants.Add(SetAffinity(spec.CpuAffinity));
        if (spec.SchedFifoPriority > 0)
            grants.Add(Result($"SCHED_FIFO priority {spec.SchedFifoPriority}", SchedSetScheduler(0, SchedFifo, new SchedParam { Priority = spec.SchedFifoPriority })));
        if (spec.Spin_us > 0)
            grants.Add(new RealtimeGrant($"spin {spec.Spin_us} µs before each deadline", true, ""));
        return grants;
    }

    private static unsafe RealtimeGrant SetAffinity(IReadOnlyList<int> cpus)
    {
        var setting = $"CPU affinity [{string.Join(", ", cpus)}]";
        var count = Environment.ProcessorCount;
        var missing = cpus.Where(c => c >= count).ToList();
        if (missing.Count > 0)
            return new RealtimeGrant(setting, false, $"this machine has CPUs 0–{count - 1}; no CPU {string.Join(", ", missing)}");
        var mask = stackalloc ulong[16]; // cpu_set_t: 1024 bits
        for (var i = 0; i < 16; i++) mask[i] = 0;
        foreach (var c in cpus) mask[c / 64] |= 1UL << (c % 64);
        return Result(setting, SchedSetAffinity(0, 128, mask));
    }

    private static RealtimeGrant Result(string setting, int rc)
    {
        if (rc == 0) return new RealtimeGrant(setting, true, "");
        var errno = Marshal.GetLastPInvokeError();
        var text = Marshal.PtrToStringAnsi(StrError(errno)) ?? $"errno {errno}";
        var hint = errno == 1 ? " (needs root or CAP_SYS_NICE / an rtprio and memlock limit in /etc/security/limits.conf)" : "";
        return new RealtimeGrant(setting, false, text + hint);
    }
}
