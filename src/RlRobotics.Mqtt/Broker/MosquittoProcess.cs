using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace RlRobotics.Mqtt.Broker;

/// <summary>
/// A mosquitto broker process that we own: started from a configuration file, ready once its listeners accept
/// connections, stopped gracefully (SIGTERM: it writes its persistence database) or killed (SIGKILL: a crash), and
/// started again on the same ports. Used by the benchmarks, the HIL rigs and the tests; never by a robot, whose broker
/// belongs to the fleet.
/// </summary>
public sealed class MosquittoProcess : IDisposable
{
    /// <summary>Where Debian's mosquitto package puts the broker.</summary>
    public const string DefaultPath = "/usr/sbin/mosquitto";

    readonly string _executable;
    readonly int[] _ports;
    Process? _process;

    /// <param name="configFile">mosquitto.conf to start with (<c>-c</c>).</param>
    /// <param name="logFile">The <c>log_dest file</c> of that configuration, read for failure messages (optional).</param>
    /// <param name="ports">The loopback ports the configuration listens on; <see cref="Start"/> waits for all of them.</param>
    /// <param name="executable">The mosquitto binary.</param>
    public MosquittoProcess(string configFile, string? logFile, IReadOnlyList<int> ports, string executable = DefaultPath)
    {
        if (!File.Exists(executable))
            throw new FileNotFoundException($"no mosquitto at {executable}: install the 'mosquitto' package (scripts/install-deps.sh test does)", executable);
        ConfigFile = configFile;
        LogFile = logFile;
        _ports = [.. ports];
        _executable = executable;
    }

    public string ConfigFile { get; }
    public string? LogFile { get; }
    public bool IsRunning => _process is { HasExited: false };
    public int? ProcessId => _process?.Id;

    /// <summary>Starts the broker and waits until every port accepts connections.</summary>
    /// <exception cref="InvalidOperationException">mosquitto exited at start (bad configuration, port taken); the log says why.</exception>
    /// <exception cref="TimeoutException">A port did not open within <paramref name="timeout_s"/>.</exception>
    public void Start(double timeout_s = 10)
    {
        if (IsRunning) return;
        var psi = new ProcessStartInfo(_executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(ConfigFile);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start mosquitto");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} at start; log:\n{ReadLog()}");
            if (_ports.All(Accepts)) return;
            if (clock.Elapsed.TotalSeconds > timeout_s)
                throw new TimeoutException($"mosquitto did not open ports {string.Join(", ", _ports)} within {timeout_s} s; log:\n{ReadLog()}");
            Thread.Sleep(10);
        }
    }

    /// <summary>Stops the broker: SIGTERM (graceful: the persistence database is written) or SIGKILL (a crash).</summary>
    public void Stop(bool kill = false)
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            if (kill) _process.Kill();
            else if (SendSignal(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
            if (!_process.WaitForExit(10_000)) _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        _process = null;
    }

    /// <summary>The broker's log so far (for failure messages).</summary>
    public string ReadLog()
    {
        if (LogFile is null) return "(no log file configured)";
        try
        {
            using var s = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(s).ReadToEnd();
        }
        catch (IOException) { return "(no log)"; }
    }

    public void Dispose() => Stop(kill: true);

    /// <summary>A port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static bool Accepts(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);

    /// <summary>
    /// A throwaway broker on one free loopback port, anonymous access: for benchmarks and HIL rigs. With
    /// <paramref name="persistent"/> it keeps sessions and queued messages across a graceful restart (SIGTERM writes
    /// them, as on a robot's broker); without, nothing outlives it. Its folder is deleted on dispose.
    /// </summary>
    public static LocalBroker StartLocal(bool persistent = false) => new(persistent);

    public sealed class LocalBroker : IDisposable
    {
        readonly string _dir;

        internal LocalBroker(bool persistent)
        {
            _dir = Path.Combine(Path.GetTempPath(), "rlr-mosquitto-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(_dir);
            Port = FreePort();
            var config = Path.Combine(_dir, "mosquitto.conf");
            var log = Path.Combine(_dir, "mosquitto.log");
            File.WriteAllText(config, $"""
                allow_anonymous true
                {(persistent ? $"persistence true\npersistence_location {_dir}/" : "persistence false")}
                max_queued_messages 1000000
                max_inflight_messages 0
                log_dest file {log}
                log_type error
                log_type warning
                {(Environment.IsPrivilegedProcess ? "user root" : "")}
                listener {Port} 127.0.0.1
                """);
            Process = new MosquittoProcess(config, log, [Port]);
            try { Process.Start(); }
            catch
            {
                Dispose();
                throw;
            }
        }

        public int Port { get; }
        public MosquittoProcess Process { get; }

        public void Dispose()
        {
            Process.Dispose();
            try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
