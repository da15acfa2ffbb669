using RlRobotics.Mqtt.Tests.Rig;

namespace RlRobotics.Mqtt.Tests;

/// <summary>TLS to mosquitto with certificates the rig made with openssl.</summary>
public class TlsTests
{
    private static MosquittoBroker Broker => MosquittoBroker.Shared;

    private static MqttClientOptionsBuilder Tls(int port, Action<MqttClientTlsOptionsBuilder> tls) =>
        new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("tls-" + Guid.NewGuid().ToString("N")[..8])
            .WithCredentials(MosquittoBroker.User, MosquittoBroker.Password).WithTimeout(TimeSpan.FromSeconds(5)).WithTlsOptions(tls);

    [Fact]
    public async Task Server_certificate_validated_against_the_ca_file_connects()
    {
        using var client = new MqttClient();
        var received = new Rig.MessageCollector();
        client.ApplicationMessageReceivedAsync += received.Handle;
        var r = await client.ConnectAsync(Tls(Broker.TlsPort, t => t.WithCaFile(Broker.Pki.CaCertificate).WithTargetHost("localhost")).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, r.ResultCode);
        string topic = "test/tls-" + Guid.NewGuid().ToString("N")[..8];
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("over tls").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await received.WaitForPayloadAsync("over tls");
    }

    [Fact]
    public async Task Ip_address_in_the_certificate_also_validates()
    {
        using var client = new MqttClient();
        await client.ConnectAsync(Tls(Broker.TlsPort, t => t.WithCaFile(Broker.Pki.CaCertificate)).Build()); // target host 127.0.0.1 (SAN IP)
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Wrong_ca_fails_with_a_clear_error()
    {
        using var client = new MqttClient();
        var e = await Assert.ThrowsAsync<MqttCommunicationException>(() =>
            client.ConnectAsync(Tls(Broker.TlsPort, t => t.WithCaFile(Broker.Pki.OtherCaCertificate).WithTargetHost("localhost")).Build()));
        Assert.Contains("TLS handshake with 127.0.0.1:", e.Message);
        Assert.Contains("does not chain to a CA in", e.Message);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Wrong_host_name_fails_with_a_clear_error()
    {
        using var client = new MqttClient();
        var e = await Assert.ThrowsAsync<MqttCommunicationException>(() =>
            client.ConnectAsync(Tls(Broker.TlsPort, t => t.WithCaFile(Broker.Pki.CaCertificate).WithTargetHost("robot.example")).Build()));
        Assert.Contains("is not valid for the host name 'robot.example'", e.Message);
    }

    [Fact]
    public async Task Client_certificate_is_accepted_where_the_broker_requires_one()
    {
        using var client = new MqttClient();
        var pki = Broker.Pki;
        var r = await client.ConnectAsync(Tls(Broker.ClientCertPort, t => t.WithCaFile(pki.CaCertificate).WithTargetHost("localhost")
            .WithClientCertificate(pki.ClientCertificate, pki.ClientKey)).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, r.ResultCode);
        // use_identity_as_username: the ACL for the certificate's CN applies.
        var granted = await client.SubscribeAsync("test/cert", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, granted.Items[0].ResultCode);
    }

    [Fact]
    public async Task Without_a_client_certificate_the_requiring_listener_refuses()
    {
        using var client = new MqttClient();
        // TLS 1.3 reports the refusal after the handshake, so it may surface as a closed connection rather than a handshake error.
        var e = await Assert.ThrowsAnyAsync<MqttCommunicationException>(() =>
            client.ConnectAsync(Tls(Broker.ClientCertPort, t => t.WithCaFile(Broker.Pki.CaCertificate).WithTargetHost("localhost")).Build()));
        Assert.False(client.IsConnected);
        Assert.Contains("127.0.0.1:", e.Message);
    }

    [Fact]
    public void Options_refuse_missing_files_and_half_a_client_certificate()
    {
        Assert.Throws<ArgumentException>(() => Tls(1, t => t.WithCaFile("/nonexistent/ca.crt")).Build());
        var half = new MqttClientTlsOptions { UseTls = true, ClientCertificateFile = Broker.Pki.ClientCertificate };
        var e = Assert.Throws<ArgumentException>(() => new MqttClientOptionsBuilder().WithTlsOptions(half).Build());
        Assert.Contains("both", e.Message);
    }
}
