using System.Diagnostics;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Ros2.Tests;

/// <summary>Shared helpers: loopback contexts on a test's own DDS domain, waiting for discovery and for data.</summary>
internal static class Ros2Test
{
    public static RosContext Context(uint domain) => new(new RosContextOptions { DomainId = domain, Network = DdsNetwork.Loopback });

    /// <summary>Waits (real time: discovery is on the wire) until <paramref name="condition"/> holds or 20 s pass.</summary>
    public static bool WaitFor(Func<bool> condition, double seconds = 20)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) return false;
            Thread.Sleep(5);
        }
        return true;
    }

    /// <summary>Spins <paramref name="node"/> until <paramref name="condition"/> holds or <paramref name="seconds"/> pass.</summary>
    public static bool SpinUntil(Node node, Func<bool> condition, double seconds = 20)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) return false;
            node.SpinOnce(TimeSpan.FromMilliseconds(50));
        }
        return true;
    }

    public static byte[] Serialize(IRosMessage m)
    {
        var w = new Messages.Cdr.CdrWriter();
        w.Reset();
        m.WriteTo(w);
        return w.Written.ToArray();
    }
}

/// <summary>
/// Builds the DDS-native peers once per test run: idlc (Debian's, 0.10.2) turns the IDL of ROS 2's message definitions into C,
/// gcc links it against libddsc.
/// </summary>
public sealed class NativePeers
{
    public NativePeers()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"rlr-ros2-peers-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var f in System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Native")))
            File.Copy(f, Path.Combine(Directory, Path.GetFileName(f)), overwrite: true);
        Run("idlc", "-t ros2_msgs.idl");
        Run("idlc", "-t bad_joint_state.idl");
        Run("gcc", "-O1 -o peer peer.c ros2_msgs.c -lddsc");
        Run("gcc", "-O1 -o bad_peer bad_peer.c bad_joint_state.c -lddsc");
    }

    public string Directory { get; }
    public string Peer => Path.Combine(Directory, "peer");
    public string BadPeer => Path.Combine(Directory, "bad_peer");

    void Run(string file, string args)
    {
        var (code, output) = Execute(file, args, Directory, 60);
        if (code != 0) throw new InvalidOperationException($"{file} {args} failed ({code}): {output}");
    }

    public static (int Code, string Output) Execute(string file, string args, string? cwd = null, double timeout_s = 60)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args)
        {
            WorkingDirectory = cwd ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeout_s))) p.Kill(true);
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
