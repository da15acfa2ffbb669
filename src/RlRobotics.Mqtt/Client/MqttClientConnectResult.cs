namespace RlRobotics.Mqtt;

/// <summary>CONNACK return codes (MQTT 3.1.1 table 3.1); the numeric values are the wire values.</summary>
public enum MqttClientConnectResultCode : byte
{
    /// <summary>0: connection accepted.</summary>
    Success = 0,
    /// <summary>1: the broker does not speak MQTT 3.1.1.</summary>
    UnacceptableProtocolVersion = 1,
    /// <summary>2: the client id is well-formed UTF-8 but the broker does not allow it.</summary>
    IdentifierRejected = 2,
    /// <summary>3: the MQTT service is unavailable.</summary>
    ServerUnavailable = 3,
    /// <summary>4: malformed user name or password.</summary>
    BadUserNameOrPassword = 4,
    /// <summary>5: the client is not authorized to connect (mosquitto also answers a wrong password with 5).</summary>
    NotAuthorized = 5,
}

/// <summary>What the broker answered to CONNECT.</summary>
public sealed class MqttClientConnectResult
{
    internal MqttClientConnectResult(MqttClientConnectResultCode resultCode, bool isSessionPresent)
    {
        ResultCode = resultCode;
        IsSessionPresent = isSessionPresent;
    }

    /// <summary>The CONNACK return code.</summary>
    public MqttClientConnectResultCode ResultCode { get; }

    /// <summary>The broker had stored state for this client id (only with clean session off).</summary>
    public bool IsSessionPresent { get; }

    /// <summary>A one-line explanation of the code, for logs and error messages.</summary>
    public string Describe() => ResultCode switch
    {
        MqttClientConnectResultCode.Success => "0 accepted",
        MqttClientConnectResultCode.UnacceptableProtocolVersion => "1 unacceptable protocol version (the broker does not accept MQTT 3.1.1)",
        MqttClientConnectResultCode.IdentifierRejected => "2 client identifier rejected",
        MqttClientConnectResultCode.ServerUnavailable => "3 server unavailable",
        MqttClientConnectResultCode.BadUserNameOrPassword => "4 bad user name or password",
        MqttClientConnectResultCode.NotAuthorized => "5 not authorized (wrong credentials, or anonymous access not allowed)",
        _ => $"{(int)ResultCode} unknown",
    };
}
