using System.Security.Authentication;

namespace RlRobotics.Mqtt;

/// <summary>TLS settings for the broker connection (files are PEM).</summary>
public sealed class MqttClientTlsOptions
{
    /// <summary>Wrap the TCP connection in TLS.</summary>
    public bool UseTls { get; set; }

    /// <summary>PEM file with the CA certificate(s) the server certificate must chain to; null: the system trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>Name to check the server certificate against (and to send as SNI); null: the host given to WithTcpServer.</summary>
    public string? TargetHost { get; set; }

    /// <summary>Check that the server certificate names <see cref="TargetHost"/> (on by default; turn off only for test rigs).</summary>
    public bool ValidateHostname { get; set; } = true;

    /// <summary>PEM client certificate, for brokers that require one (with <see cref="ClientKeyFile"/>).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/> (unencrypted PKCS#8, PKCS#1 or SEC1).</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Allowed TLS versions; None lets the operating system choose (TLS 1.2 and 1.3).</summary>
    public SslProtocols SslProtocols { get; set; } = SslProtocols.None;

    internal void Validate()
    {
        if (!UseTls) return;
        if (CaFile is not null && !File.Exists(CaFile)) throw new ArgumentException($"TLS CA file '{CaFile}' does not exist");
        if ((ClientCertificateFile is null) != (ClientKeyFile is null)) throw new ArgumentException("TLS client certificate: give both the certificate file and the key file, or neither");
        if (ClientCertificateFile is not null && !File.Exists(ClientCertificateFile)) throw new ArgumentException($"TLS client certificate file '{ClientCertificateFile}' does not exist");
        if (ClientKeyFile is not null && !File.Exists(ClientKeyFile)) throw new ArgumentException($"TLS client key file '{ClientKeyFile}' does not exist");
    }
}

/// <summary>Fluent setter for <see cref="MqttClientTlsOptions"/>, used by <see cref="MqttClientOptionsBuilder.WithTlsOptions(Action{MqttClientTlsOptionsBuilder})"/>.</summary>
public sealed class MqttClientTlsOptionsBuilder
{
    internal MqttClientTlsOptions Options { get; } = new() { UseTls = true };

    /// <summary>Turns TLS on or off (on by default once this builder is used).</summary>
    public MqttClientTlsOptionsBuilder UseTls(bool useTls = true) { Options.UseTls = useTls; return this; }

    /// <summary>Trust only the CA certificate(s) in this PEM file.</summary>
    public MqttClientTlsOptionsBuilder WithCaFile(string path) { Options.CaFile = path; return this; }

    /// <summary>The name the server certificate must carry.</summary>
    public MqttClientTlsOptionsBuilder WithTargetHost(string host) { Options.TargetHost = host; return this; }

    /// <summary>Whether to check the server certificate's name.</summary>
    public MqttClientTlsOptionsBuilder WithHostnameValidation(bool validate) { Options.ValidateHostname = validate; return this; }

    /// <summary>Present this client certificate (PEM certificate and key files).</summary>
    public MqttClientTlsOptionsBuilder WithClientCertificate(string certificatePemFile, string keyPemFile)
    {
        Options.ClientCertificateFile = certificatePemFile;
        Options.ClientKeyFile = keyPemFile;
        return this;
    }

    /// <summary>Restrict the TLS versions.</summary>
    public MqttClientTlsOptionsBuilder WithSslProtocols(SslProtocols protocols) { Options.SslProtocols = protocols; return this; }
}
