namespace RlRobotics.Serial.Dynamixel;

/// <summary>The error number in bits 0–6 of a status packet's error byte (Protocol 2.0).</summary>
public enum StatusError : byte
{
    None = 0,
    /// <summary>The device could not process the instruction.</summary>
    ResultFail = 1,
    /// <summary>Undefined instruction, or Action without a Reg Write.</summary>
    InstructionError = 2,
    /// <summary>The packet's CRC did not match.</summary>
    CrcError = 3,
    /// <summary>Data out of the item's range.</summary>
    DataRange = 4,
    /// <summary>Data shorter than the item (e.g. 2 bytes of a 4-byte item).</summary>
    DataLength = 5,
    /// <summary>Data beyond a limit (e.g. a goal past the position limits).</summary>
    DataLimit = 6,
    /// <summary>Read-only or undefined address, or an EEPROM write while torque is on.</summary>
    Access = 7,
}

/// <summary>Decoding of the status error byte and of Hardware Error Status (register 70).</summary>
public static class StatusErrors
{
    /// <summary>Bit 7 of the error byte: the device has a hardware fault; read register 70 for the cause.</summary>
    public const byte AlertBit = 0x80;

    public static StatusError Code(byte error) => (StatusError)(error & 0x7F);

    public static bool Alert(byte error) => (error & AlertBit) != 0;

    public static string Describe(StatusError e) => e switch
    {
        StatusError.None => "ok",
        StatusError.ResultFail => "result fail",
        StatusError.InstructionError => "instruction error",
        StatusError.CrcError => "the servo saw a CRC error",
        StatusError.DataRange => "data out of range",
        StatusError.DataLength => "data length error",
        StatusError.DataLimit => "data beyond the limit",
        StatusError.Access => "access error (read-only or undefined address, or an EEPROM item while torque is on)",
        _ => $"error {(byte)e}",
    };

    /// <summary>Hardware Error Status bits: input voltage, overheat, encoder, electrical shock, overload.</summary>
    public static string DescribeHardware(byte bits)
    {
        if (bits == 0) return "none reported";
        var parts = new List<string>();
        if ((bits & 0x01) != 0) parts.Add("input voltage");
        if ((bits & 0x04) != 0) parts.Add("overheating");
        if ((bits & 0x08) != 0) parts.Add("motor encoder");
        if ((bits & 0x10) != 0) parts.Add("electrical shock");
        if ((bits & 0x20) != 0) parts.Add("overload");
        if ((bits & ~0x3D) != 0) parts.Add($"bits 0x{bits & ~0x3D:X2}");
        return string.Join(", ", parts);
    }
}
