using System.Diagnostics;
using System.Globalization;
using RlRobotics.Core.Processes;
using RlRobotics.Core.Spec;
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

    /// <summary>Calls <paramref name="publish"/> every 2 ms on its own thread until disposed: a driver's steady stream.</summary>
    public static IDisposable Pump(Action publish)
    {
        var stop = new CancellationTokenSource();
        var thread = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                publish();
                Thread.Sleep(2);
            }
        }) { IsBackground = true, Name = "test-driver" };
        thread.Start();
        return new Stopper(() =>
        {
            stop.Cancel();
            thread.Join();
            stop.Dispose();
        });
    }

    sealed class Stopper(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }

    /// <summary>The cart-pole behind ROS 2 topics (robots/cartpole.ros2-sim.yaml) on the test's own domain.</summary>
    public static RobotSpec CartpoleSpec(uint domain, Func<string, string>? edit = null)
    {
        var yaml = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "robots", "cartpole.ros2-sim.yaml"))
            .Replace("      network: loopback", $"      network: loopback\n      domain_id: {domain}");
        return RobotSpecLoader.Load(edit?.Invoke(yaml) ?? yaml, "cartpole.ros2-sim.yaml");
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
    // Built once per test process, however many test classes use the fixture (classes run in parallel).
    static readonly Lazy<string> Built = new(Build);

    public string Directory => Built.Value;
    public string Peer => Path.Combine(Directory, "peer");
    public string BadPeer => Path.Combine(Directory, "bad_peer");

    static string Build()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"rlr-ros2-peers-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(directory);
        foreach (var f in System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Native")))
            File.Copy(f, Path.Combine(directory, Path.GetFileName(f)), overwrite: true);
        Run(directory, "idlc", "-t ros2_msgs.idl");
        Run(directory, "idlc", "-t bad_joint_state.idl");
        Run(directory, "gcc", "-O1 -o peer peer.c ros2_msgs.c -lddsc");
        Run(directory, "gcc", "-O1 -o bad_peer bad_peer.c bad_joint_state.c -lddsc");
        return directory;
    }

    static void Run(string directory, string file, string args)
    {
        var (code, output) = Execute(file, args, directory, 60);
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

/// <summary>
/// The echo peer (tests/RlRobotics.Ros2.EchoPeer) as a separate process: it echoes every registry type from
/// <c>/echo/in/&lt;pkg&gt;_&lt;Name&gt;</c> to <c>/echo/out/…</c>, and says "echoed N" when its stdin closes.
/// </summary>
public static class EchoPeer
{
    public static PeerProcess Start(uint domain)
    {
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RlRobotics.Ros2.EchoPeer.dll"));
        start.ArgumentList.Add(domain.ToString(CultureInfo.InvariantCulture));
        return new PeerProcess(start, "the echo peer");
    }
}
