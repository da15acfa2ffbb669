using RlRobotics.Serial.Dynamixel;

namespace RlRobotics.Sim.Serial;

/// <summary>
/// One simulated X-series servo's memory and rules, as the e-manual states them: the control table with its
/// factory values; EEPROM items (below 64) locked while Torque Enable is 1; read-only items; writes that must
/// cover whole items; goals checked against the limits; a hardware error that clears Torque Enable and sets the
/// alert bit until a reboot; reg write and action; reboot and factory reset.
/// </summary>
public sealed class SimulatedServo
{
    private readonly byte[] _memory;
    private readonly byte[] _registered = new byte[256];
    private int _registeredAddress = -1, _registeredLength;

    public SimulatedServo(byte id, ServoModel model, int baudCode = 3)
    {
        Model = model;
        _memory = new byte[model.Table.Size];
        FactoryDefaults(FactoryResetScope.All);
        Set("ID", id);
        Set("Baud Rate", baudCode);
    }

    public ServoModel Model { get; }

    public byte Id => (byte)Get("ID");

    public ReadOnlySpan<byte> Memory => _memory;

    public bool TorqueOn => _memory[64] != 0;

    public OperatingMode Mode => (OperatingMode)_memory[11];

    public byte HardwareError => _memory[70];

    /// <summary>The error byte every status packet carries: the alert bit while a hardware error is latched.</summary>
    public byte AlertBits => HardwareError != 0 ? StatusErrors.AlertBit : (byte)0;

    /// <summary>An item's value by name (bring-up and tests; allocates).</summary>
    public int Get(string item) => Get(Model.Table[item]);

    /// <summary>An item's value.</summary>
    public int Get(ControlItem item) => item.Decode(_memory.AsSpan(item.Address, item.Size));

    /// <summary>Sets an item directly (the device's own updates: present values, errors), bypassing access rules.</summary>
    public void Set(string item, int value)
    {
        var it = Model.Table[item];
        ControlTable.Encode(value, _memory.AsSpan(it.Address, it.Size));
    }

    /// <summary>Reads <paramref name="data"/>.Length bytes at <paramref name="address"/>; Access error past the table.</summary>
    public StatusError Read(int address, Span<byte> data)
    {
        if (address < 0 || address + data.Length > _memory.Length) return StatusError.Access;
        _memory.AsSpan(address, data.Length).CopyTo(data);
        return StatusError.None;
    }

    /// <summary>A host write: every rule checked before anything changes.</summary>
    public StatusError Write(int address, ReadOnlySpan<byte> data)
    {
        var check = CheckWrite(address, data);
        if (check != StatusError.None) return check;
        data.CopyTo(_memory.AsSpan(address));
        return StatusError.None;
    }

    private StatusError CheckWrite(int address, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || address < 0 || address + data.Length > _memory.Length) return StatusError.Access;
        var table = Model.Table;
        var first = table.At(address);
        var last = table.At(address + data.Length - 1);
        if (first is null || last is null) return StatusError.Access;
        if (first.Address != address || last.Address + last.Size != address + data.Length) return StatusError.DataLength;
        for (var a = address; a < address + data.Length;)
        {
            var item = table.At(a);
            if (item is null || !item.Writable) return StatusError.Access;
            if (item.Area == MemoryArea.Eeprom && TorqueOn) return StatusError.Access;
            var value = ControlTable.Decode(data.Slice(a - address, item.Size), item.Signed);
            var range = CheckValue(item, value);
            if (range != StatusError.None) return range;
            a += item.Size;
        }
        return StatusError.None;
    }

    private StatusError CheckValue(ControlItem item, int value)
    {
        switch (item.Name)
        {
            case "Torque Enable":
                if (value is not (0 or 1)) return StatusError.DataRange;
                return value == 1 && HardwareError != 0 ? StatusError.ResultFail : StatusError.None;
            case "Operating Mode":
                return value is 0 or 1 or 3 or 4 or 5 or 16 ? StatusError.None : StatusError.DataRange;
            case "ID":
                return value <= 252 ? StatusError.None : StatusError.DataRange;
            case "Baud Rate":
                return ServoModels.BaudCodes.ContainsKey(value) ? StatusError.None : StatusError.DataRange;
            case "Return Delay Time":
                return value <= 254 ? StatusError.None : StatusError.DataRange;
            case "Current Limit":
                return value is >= 0 and <= 2047 ? StatusError.None : StatusError.DataRange;
            case "Goal Current":
                return Math.Abs(value) <= Get("Current Limit") ? StatusError.None : StatusError.DataLimit;
            case "Goal Velocity":
                return Math.Abs(value) <= Get("Velocity Limit") ? StatusError.None : StatusError.DataLimit;
            case "Goal Position":
                if (Mode is OperatingMode.Position)
                    return value >= Get("Min Position Limit") && value <= Get("Max Position Limit") ? StatusError.None : StatusError.DataLimit;
                return Math.Abs(value) <= 1_048_575 ? StatusError.None : StatusError.DataLimit;
            default:
                return StatusError.None;
        }
    }

    /// <summary>Reg Write: checks now, stores until <see cref="Action"/>; Registered Instruction reads 1 meanwhile.</summary>
    public StatusError RegisterWrite(int address, ReadOnlySpan<byte> data)
    {
        var check = CheckWrite(address, data);
        if (check != StatusError.None) return check;
        data.CopyTo(_registered);
        (_registeredAddress, _registeredLength) = (address, data.Length);
        _memory[69] = 1;
        return StatusError.None;
    }

    /// <summary>Action: runs the registered write; Instruction Error when there is none.</summary>
    public StatusError Action()
    {
        if (_registeredAddress < 0) return StatusError.InstructionError;
        var result = Write(_registeredAddress, _registered.AsSpan(0, _registeredLength));
        _registeredAddress = -1;
        _memory[69] = 0;
        return result;
    }

    /// <summary>Reboot: clears the hardware error; torque off, RAM back to factory values, EEPROM kept.</summary>
    public void Reboot()
    {
        foreach (var item in Model.Table.Items.Where(i => i.Area == MemoryArea.Ram))
            ControlTable.Encode(item.Initial, _memory.AsSpan(item.Address, item.Size));
        _registeredAddress = -1;
    }

    /// <summary>Factory reset: EEPROM to factory values, keeping the ID (and baud rate) as the scope says.</summary>
    public void FactoryDefaults(FactoryResetScope scope)
    {
        var id = _memory.Length > 7 ? _memory[7] : (byte)1;
        var baud = _memory.Length > 8 ? _memory[8] : (byte)1;
        foreach (var item in Model.Table.Items)
            ControlTable.Encode(item.Initial, _memory.AsSpan(item.Address, item.Size));
        Set("Model Number", Model.Number);
        if (scope != FactoryResetScope.All) _memory[7] = id;
        if (scope == FactoryResetScope.KeepIdAndBaud) _memory[8] = baud;
    }

    /// <summary>A hardware fault (bits of Hardware Error Status): latched, and torque goes off when Shutdown says so.</summary>
    public void RaiseHardwareError(byte bits)
    {
        _memory[70] |= bits;
        if ((Get("Shutdown") & bits) != 0) _memory[64] = 0;
    }

    /// <summary>Updates the present values the host reads (the device's own measurements).</summary>
    public void SetPresent(int currentUnits, int velocityUnits, int positionTicks, bool moving)
    {
        ControlTable.Encode(Math.Clamp(currentUnits, short.MinValue, short.MaxValue), _memory.AsSpan(126, 2));
        ControlTable.Encode(velocityUnits, _memory.AsSpan(128, 4));
        ControlTable.Encode(positionTicks, _memory.AsSpan(132, 4));
        _memory[122] = moving ? (byte)1 : (byte)0;
    }
}
