namespace RlRobotics.Serial.Dynamixel;

/// <summary>Protocol 2.0 instruction codes (byte 7 of a packet).</summary>
public enum Instruction : byte
{
    Ping = 0x01,
    Read = 0x02,
    Write = 0x03,
    RegWrite = 0x04,
    Action = 0x05,
    FactoryReset = 0x06,
    Reboot = 0x08,
    Clear = 0x10,
    /// <summary>The instruction byte of every reply.</summary>
    Status = 0x55,
    SyncRead = 0x82,
    SyncWrite = 0x83,
    FastSyncRead = 0x8A,
    BulkRead = 0x92,
    BulkWrite = 0x93,
}

/// <summary>What a factory reset keeps (parameter 1 of instruction 0x06).</summary>
public enum FactoryResetScope : byte
{
    /// <summary>Resets everything, the ID and baud rate included.</summary>
    All = 0xFF,
    /// <summary>Keeps the ID.</summary>
    KeepId = 0x01,
    /// <summary>Keeps the ID and the baud rate.</summary>
    KeepIdAndBaud = 0x02,
}
