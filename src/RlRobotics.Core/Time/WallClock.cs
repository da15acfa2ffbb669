using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RlRobotics.Core.Time;

/// <summary>
/// CLOCK_MONOTONIC, with sleeps to absolute deadlines through <c>clock_nanosleep(TIMER_ABSTIME)</c> so that
/// wake-up times do not drift with the time spent computing. Falls back to <see cref="Stopwatch"/> and
/// <see cref="Thread.Sleep(int)"/> off Linux.
/// </summary>
public sealed partial class WallClock : IClock
{
    private const int ClockMonotonic = 1;
    private const int TimerAbstime = 1;
    private const int Eintr = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out Timespec ts);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clockId, int flags, in Timespec request, IntPtr remain);

    public static WallClock Instance { get; } = new();

    public string Name => "wall";

    public bool IsSimulated => false;

    public long Now_ns
    {
        get
        {
            if (OperatingSystem.IsLinux())
            {
                ClockGetTime(ClockMonotonic, out var ts);
                return ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
            }
            return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        }
    }

    public void SleepUntil(long deadline_ns)
    {
        if (OperatingSystem.IsLinux())
        {
            var ts = new Timespec { Seconds = deadline_ns / 1_000_000_000L, Nanoseconds = deadline_ns % 1_000_000_000L };
            // clock_nanosleep returns the error number directly; EINTR means a signal woke us early.
            while (ClockNanosleep(ClockMonotonic, TimerAbstime, ts, IntPtr.Zero) == Eintr) { }
            return;
        }
        var remaining = deadline_ns - Now_ns;
        if (remaining > 1_000_000) Thread.Sleep((int)(remaining / 1_000_000));
        while (Now_ns < deadline_ns) Thread.SpinWait(20);
    }
}
