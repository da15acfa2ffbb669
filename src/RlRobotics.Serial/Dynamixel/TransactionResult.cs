namespace RlRobotics.Serial.Dynamixel;

/// <summary>How one bus transaction ended.</summary>
public enum TransactionStatus : byte
{
    Ok,
    /// <summary>A device did not answer before the reply deadline (every attempt).</summary>
    Timeout,
    /// <summary>Replies arrived with a bad CRC (every attempt).</summary>
    CrcError,
    /// <summary>A reply had a valid CRC but the wrong ID, instruction or length.</summary>
    Malformed,
    /// <summary>A device answered with an error number (bits 0–6 of its error byte); not retried.</summary>
    StatusError,
    /// <summary>A device set the alert bit: a hardware fault (read Hardware Error Status); the data is still valid.</summary>
    HardwareAlert,
    /// <summary>The bus's circuit breaker is open: the transaction was not tried.</summary>
    CircuitOpen,
    /// <summary>The serial device failed (unplugged, I/O error).</summary>
    PortError,
    /// <summary>
    /// Late replies to earlier requests kept arriving, so the line never went quiet: nothing was sent, since its reply
    /// could not be told from theirs.
    /// </summary>
    LineNotQuiet,
}

/// <summary>The result of one transaction: its status, the device it concerns and that device's error byte.</summary>
public readonly record struct TransactionResult(TransactionStatus Status, byte Id = 0xFF, byte Error = 0)
{
    public bool IsOk => Status == TransactionStatus.Ok;

    /// <summary>Whether the data the transaction returned can be used (also true with a hardware alert).</summary>
    public bool HasData => Status is TransactionStatus.Ok or TransactionStatus.HardwareAlert;

    /// <summary>One line for a person (not for the real-time path: it allocates).</summary>
    public string Describe() => Status switch
    {
        TransactionStatus.Ok => "ok",
        TransactionStatus.Timeout => $"no reply from id {Id}",
        TransactionStatus.CrcError => Id == 0xFF ? "replies failed their CRC" : $"reply from id {Id} failed its CRC",
        TransactionStatus.Malformed => $"malformed reply{(Id == 0xFF ? "" : $" from id {Id}")}",
        TransactionStatus.StatusError => $"id {Id} answered: {StatusErrors.Describe(StatusErrors.Code(Error))}",
        TransactionStatus.HardwareAlert => $"id {Id} reports a hardware fault (alert bit)",
        TransactionStatus.CircuitOpen => "circuit breaker open: the bus is resting after repeated failures",
        TransactionStatus.PortError => "the serial port failed",
        TransactionStatus.LineNotQuiet => "late replies to earlier requests kept arriving (a stalled adapter or a babbling device); nothing was sent",
        _ => Status.ToString(),
    };
}

/// <summary>One reply to a ping.</summary>
public readonly record struct PingReply(byte Id, ushort ModelNumber, byte Firmware);

/// <summary>One item of a bulk read or bulk write.</summary>
public readonly record struct BulkItem(byte Id, ushort Address, ushort Length);
