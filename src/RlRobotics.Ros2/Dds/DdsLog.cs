using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace RlRobotics.Ros2.Dds;

/// <summary>
/// Cyclone's log, captured. Cyclone drops a received sample whose CDR does not match the reader's type and logs
/// "deserialization TYPE/TOPIC failed"; it keeps no counter, so we install a log sink (<c>dds_set_log_sink</c>), count those
/// per DDS topic name (tested with Cyclone's own line), and pass every message on to <see cref="Message"/> (stderr by default).
/// </summary>
public static unsafe class DdsLog
{
    static readonly ConcurrentDictionary<string, long> Rejected = new();
    static int _installed;

    /// <summary>Where Cyclone's log lines go after counting; the default writes them to stderr.</summary>
    public static Action<string> Message { get; set; } = line => Console.Error.WriteLine("cyclonedds: " + line);

    /// <summary>Installs the sink once per process (call before creating participants).</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        DdsNative.dds_set_log_sink(&Sink, IntPtr.Zero);
    }

    /// <summary>Samples on DDS topic <paramref name="ddsTopic"/> that Cyclone refused to deserialise, since the process started.</summary>
    public static long RejectedSamples(string ddsTopic) => Rejected.TryGetValue(ddsTopic, out var n) ? n : 0;

    [UnmanagedCallersOnly]
    static void Sink(IntPtr userData, LogData* data)
    {
        try
        {
            var text = Marshal.PtrToStringUTF8((IntPtr)data->Message, (int)data->Size)?.TrimEnd() ?? "";
            Count(text);
            Message(text);
        }
        catch
        {
            // A log callback must never throw into Cyclone.
        }
    }

    /// <summary>Counts "... deserialization TOPIC/TYPE failed ..." (q_receive.c's warning) against TOPIC; the type name has no '/'.</summary>
    internal static void Count(string text)
    {
        const string marker = "deserialization ";
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) return;
        var rest = text[(at + marker.Length)..];
        var end = rest.IndexOf(" failed", StringComparison.Ordinal);
        if (end < 0) return;
        var slash = rest.LastIndexOf('/', end);
        if (slash <= 0) return;
        Rejected.AddOrUpdate(rest[..slash], 1, (_, n) => n + 1);
    }
}
