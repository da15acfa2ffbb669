using RlRobotics.Mqtt.Broker;

namespace RlRobotics.Mqtt.Tests.Rig;

/// <summary>
/// A real mosquitto 2 broker for tests, on free loopback ports, configured from a temp folder:
/// <list type="bullet">
/// <item><see cref="Port"/>: plain TCP; <see cref="TlsPort"/>: TLS with the <see cref="TestPki"/> server certificate;
/// <see cref="ClientCertPort"/>: TLS that requires a client certificate (its CN becomes the user name).</item>
/// <item>Password file (made with <c>mosquitto_passwd -b</c>) with the users below; ACL file; no anonymous access.</item>
/// <item><c>persistence true</c> in its own folder, so sessions and queued messages survive <see cref="Stop"/> / <see cref="Start"/>.</item>
/// </list>
/// <see cref="Stop"/> sends SIGTERM (mosquitto saves its database) or SIGKILL; <see cref="Start"/> brings it back on
/// the same ports. <see cref="Dispose"/> kills it and deletes the folder. <see cref="Shared"/> is one broker for
/// tests that do not stop it.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    /// <summary>Full rights on test/# (and read on $SYS/#).</summary>
    public const string User = "robot", Password = "robot-pass";

    /// <summary>A fleet operator: may send robot commands (rlr/+/cmd/#) and read everything under rlr/.</summary>
    public const string Operator = "operator", OperatorPassword = "operator-pass";

    /// <summary>May read test/# but not write it; may not subscribe private/#.</summary>
    public const string Viewer = "viewer", ViewerPassword = "viewer-pass";

    private static readonly Lazy<MosquittoBroker> LazyShared = new(() => new MosquittoBroker());
    private readonly MosquittoProcess _process;

    /// <summary>A broker shared by the tests that never stop it (started on first use, killed at process exit).</summary>
    public static MosquittoBroker Shared => LazyShared.Value;

    /// <summary>Writes the configuration and starts the broker.</summary>
    public MosquittoBroker()
    {
        Pki = TestPki.Shared;
        Directory = Path.Combine(Path.GetTempPath(), "rlr-mosquitto-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "data"));
        Port = FreePort();
        TlsPort = FreePort();
        ClientCertPort = FreePort();

        string passwd = Path.Combine(Directory, "passwd");
        File.WriteAllText(passwd, "");
        Tool.Run("mosquitto_passwd", $"-b {passwd} {User} {Password}");
        Tool.Run("mosquitto_passwd", $"-b {passwd} {Viewer} {ViewerPassword}");
        Tool.Run("mosquitto_passwd", $"-b {passwd} {Operator} {OperatorPassword}");
        File.WriteAllText(Path.Combine(Directory, "acl"), $"""
            user {User}
            topic readwrite test/#
            topic read $SYS/#
            topic readwrite rlr/#

            user {Operator}
            topic write rlr/+/cmd/#
            topic read rlr/#

            user {Viewer}
            topic read test/#

            user {TestPki.ClientCommonName}
            topic readwrite test/#
            """);
        string tls = $"certfile {Pki.ServerCertificate}\nkeyfile {Pki.ServerKey}\ncafile {Pki.CaCertificate}\n";
        File.WriteAllText(ConfigFile, $"""
            per_listener_settings false
            allow_anonymous false
            password_file {passwd}
            acl_file {Path.Combine(Directory, "acl")}
            persistence true
            persistence_location {Path.Combine(Directory, "data")}/
            sys_interval 1
            max_queued_messages 100000
            max_inflight_messages 0
            log_dest file {LogFile}
            log_type error
            log_type warning
            log_type notice
            log_type information
            {(Environment.IsPrivilegedProcess ? "user root" : "")}

            listener {Port} 127.0.0.1

            listener {TlsPort} 127.0.0.1
            {tls}
            listener {ClientCertPort} 127.0.0.1
            {tls}require_certificate true
            use_identity_as_username true
            """);
        _process = new MosquittoProcess(ConfigFile, LogFile, [Port, TlsPort, ClientCertPort]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        Start();
    }

    /// <summary>The certificates the TLS listeners use.</summary>
    public TestPki Pki { get; }

    /// <summary>The broker's folder (config, passwd, acl, data/, mosquitto.log).</summary>
    public string Directory { get; }

    /// <summary>Plain MQTT port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>MQTT over TLS port (server certificate only).</summary>
    public int TlsPort { get; }

    /// <summary>MQTT over TLS port that requires a client certificate signed by the test CA.</summary>
    public int ClientCertPort { get; }

    /// <summary>The generated mosquitto.conf.</summary>
    public string ConfigFile => Path.Combine(Directory, "mosquitto.conf");

    /// <summary>The broker's log file.</summary>
    public string LogFile => Path.Combine(Directory, "mosquitto.log");

    /// <summary>True while the broker process runs.</summary>
    public bool IsRunning => _process.IsRunning;

    /// <summary>Options for <see cref="User"/> on the plain port (add a client id and whatever else the test needs).</summary>
    public MqttClientOptionsBuilder Options(string clientId, string user = User, string password = Password) =>
        new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Port).WithClientId(clientId).WithCredentials(user, password).WithTimeout(TimeSpan.FromSeconds(5));

    /// <summary>Starts the broker (same config, same ports) and waits until every listener accepts connections.</summary>
    public void Start() => _process.Start();

    /// <summary>Stops the broker: SIGTERM (graceful: the persistence database is written) or SIGKILL (a crash).</summary>
    public void Stop(bool kill = false) => _process.Stop(kill);

    /// <summary>The broker's log so far (for failure messages).</summary>
    public string ReadLog() => _process.ReadLog();

    /// <summary>Kills the broker and deletes its folder.</summary>
    public void Dispose()
    {
        Stop(kill: true);
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort() => MosquittoProcess.FreePort();
}
