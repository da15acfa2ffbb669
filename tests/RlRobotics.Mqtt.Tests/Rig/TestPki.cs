using System.Diagnostics;

namespace RlRobotics.Mqtt.Tests.Rig;

/// <summary>
/// A throw-away PKI made with openssl at test time: a CA, a server certificate for localhost / 127.0.0.1, a client
/// certificate (CN rig-client) and a second, unrelated CA for the "wrong CA" case. EC P-256 keys keep it fast.
/// One per test process (<see cref="Shared"/>); files live in a temp folder removed at exit.
/// </summary>
public sealed class TestPki
{
    private static readonly Lazy<TestPki> Lazy = new(() => new TestPki());

    /// <summary>The process-wide PKI.</summary>
    public static TestPki Shared => Lazy.Value;

    private TestPki()
    {
        Directory = Path.Combine(Path.GetTempPath(), "rlr-mqtt-pki-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { } };
        MakeCa("ca", "RlRobotics Test CA");
        MakeCa("other-ca", "Unrelated Test CA");
        MakeLeaf("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
        MakeLeaf("client", ClientCommonName, "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
    }

    /// <summary>The folder holding the files.</summary>
    public string Directory { get; }

    /// <summary>Common name of the client certificate (mosquitto's user name with use_identity_as_username).</summary>
    public const string ClientCommonName = "rig-client";

    /// <summary>CA certificate (PEM).</summary>
    public string CaCertificate => File("ca.crt");
    /// <summary>A CA that signed nothing here (PEM).</summary>
    public string OtherCaCertificate => File("other-ca.crt");
    /// <summary>Server certificate (PEM).</summary>
    public string ServerCertificate => File("server.crt");
    /// <summary>Server key (PEM).</summary>
    public string ServerKey => File("server.key");
    /// <summary>Client certificate (PEM).</summary>
    public string ClientCertificate => File("client.crt");
    /// <summary>Client key (PEM, PKCS#8).</summary>
    public string ClientKey => File("client.key");

    private string File(string name) => Path.Combine(Directory, name);

    private void MakeCa(string name, string commonName)
    {
        OpenSsl($"genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out {name}.key");
        OpenSsl($"req -x509 -new -key {name}.key -sha256 -days 2 -subj \"/CN={commonName}\" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out {name}.crt");
    }

    private void MakeLeaf(string name, string commonName, string extensions)
    {
        System.IO.File.WriteAllText(File(name + ".ext"), extensions);
        OpenSsl($"genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out {name}.key");
        OpenSsl($"req -new -key {name}.key -subj \"/CN={commonName}\" -out {name}.csr");
        OpenSsl($"x509 -req -in {name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256 -extfile {name}.ext -out {name}.crt");
    }

    private void OpenSsl(string arguments) => Tool.Run("openssl", arguments, Directory);
}

/// <summary>Runs a command-line tool to completion and throws with its output when it fails.</summary>
public static class Tool
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>; returns stdout.</summary>
    public static string Run(string file, string arguments, string? workingDirectory = null, int timeout_ms = 30_000)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout_ms))
        {
            p.Kill(true);
            throw new TimeoutException($"{file} {arguments} did not finish within {timeout_ms} ms");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed ({p.ExitCode}): {stderr.Result}{stdout.Result}");
        return stdout.Result;
    }
}
