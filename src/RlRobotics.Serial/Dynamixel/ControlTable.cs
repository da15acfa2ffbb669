namespace RlRobotics.Serial.Dynamixel;

/// <summary>Where an item lives: EEPROM items are writable only while Torque Enable is 0.</summary>
public enum MemoryArea { Eeprom, Ram }

/// <summary>One control-table item.</summary>
/// <param name="Name">The e-manual's name, e.g. <c>Goal Position</c>.</param>
/// <param name="Address">Byte address.</param>
/// <param name="Size">1, 2 or 4 bytes, little-endian.</param>
/// <param name="Writable">False for read-only items.</param>
/// <param name="Signed">Two's complement over the size.</param>
/// <param name="Initial">Factory value.</param>
public sealed record ControlItem(string Name, ushort Address, byte Size, bool Writable, bool Signed, int Initial)
{
    public MemoryArea Area => Address < ControlTable.RamStart ? MemoryArea.Eeprom : MemoryArea.Ram;

    /// <summary>Decodes the item's value from its little-endian bytes.</summary>
    public int Decode(ReadOnlySpan<byte> data) => ControlTable.Decode(data[..Size], Signed);
}

/// <summary>
/// A Dynamixel model: its number (register 0), its control table and the unit of each scaled quantity.
/// Units: position 4096 ticks per revolution (0.088°/tick), velocity 0.229 rpm per unit, current 2.69 mA per unit.
/// </summary>
/// <param name="Name">The model's name, e.g. <c>XM430-W350</c>.</param>
/// <param name="Number">Its model number (register 0), checked at configure.</param>
/// <param name="Table">Its control table.</param>
/// <param name="TorqueConstant_NmPerA">Output torque per ampere, used to turn efforts (N·m) into currents.</param>
/// <param name="TicksPerRevolution">Position resolution.</param>
/// <param name="RpmPerVelocityUnit">Velocity unit, rpm.</param>
/// <param name="AmperePerCurrentUnit">Current unit, A.</param>
public sealed record ServoModel(string Name, ushort Number, ControlTable Table, double TorqueConstant_NmPerA,
    double TicksPerRevolution = 4096, double RpmPerVelocityUnit = 0.229, double AmperePerCurrentUnit = 0.00269);

/// <summary>The items of one model's control table, by name and by address.</summary>
public sealed class ControlTable
{
    /// <summary>First RAM address; below it is EEPROM.</summary>
    public const ushort RamStart = 64;

    private readonly Dictionary<string, ControlItem> _byName;
    private readonly ControlItem?[] _byAddress;

    public ControlTable(IEnumerable<ControlItem> items)
    {
        Items = items.OrderBy(i => i.Address).ToList();
        _byName = Items.ToDictionary(i => Normalise(i.Name));
        var end = Items.Max(i => i.Address + i.Size);
        _byAddress = new ControlItem?[end];
        foreach (var item in Items)
            for (var a = item.Address; a < item.Address + item.Size; a++) _byAddress[a] = item;
        Size = end;
    }

    public IReadOnlyList<ControlItem> Items { get; }

    /// <summary>One past the last address.</summary>
    public int Size { get; }

    /// <summary>The item named <paramref name="name"/> (case, spaces and underscores ignored: <c>goal_position</c> works).</summary>
    public ControlItem? Find(string name) => _byName.GetValueOrDefault(Normalise(name));

    public ControlItem this[string name] => Find(name) ?? throw new KeyNotFoundException($"no control-table item '{name}'");

    /// <summary>The item that covers <paramref name="address"/>, or null in a gap.</summary>
    public ControlItem? At(int address) => address >= 0 && address < _byAddress.Length ? _byAddress[address] : null;

    private static string Normalise(string name) => name.Replace(" ", "").Replace("_", "").ToLowerInvariant();

    /// <summary>Little-endian decode of 1, 2 or 4 bytes.</summary>
    public static int Decode(ReadOnlySpan<byte> d, bool signed) => d.Length switch
    {
        1 => signed ? (sbyte)d[0] : d[0],
        2 => signed ? (short)(d[0] | d[1] << 8) : (ushort)(d[0] | d[1] << 8),
        4 => d[0] | d[1] << 8 | d[2] << 16 | d[3] << 24,
        _ => throw new ArgumentException($"items are 1, 2 or 4 bytes, not {d.Length}"),
    };

    /// <summary>Little-endian encode into 1, 2 or 4 bytes.</summary>
    public static void Encode(int value, Span<byte> d)
    {
        for (var i = 0; i < d.Length; i++) d[i] = (byte)(value >> (8 * i));
    }
}

/// <summary>The models this driver knows; the control table is the e-manual's (X series, Protocol 2.0).</summary>
public static class ServoModels
{
    /// <summary>The X-series (XM430) control table; EEPROM below 64.</summary>
    public static ControlTable XSeries { get; } = new(new ControlItem[]
    {
        new("Model Number", 0, 2, false, false, 1020),
        new("Model Information", 2, 4, false, false, 0),
        new("Firmware Version", 6, 1, false, false, 52),
        new("ID", 7, 1, true, false, 1),
        new("Baud Rate", 8, 1, true, false, 1),
        new("Return Delay Time", 9, 1, true, false, 250),
        new("Drive Mode", 10, 1, true, false, 0),
        new("Operating Mode", 11, 1, true, false, 3),
        new("Secondary ID", 12, 1, true, false, 255),
        new("Protocol Type", 13, 1, true, false, 2),
        new("Homing Offset", 20, 4, true, true, 0),
        new("Moving Threshold", 24, 4, true, false, 10),
        new("Temperature Limit", 31, 1, true, false, 80),
        new("Max Voltage Limit", 32, 2, true, false, 160),
        new("Min Voltage Limit", 34, 2, true, false, 95),
        new("PWM Limit", 36, 2, true, false, 885),
        new("Current Limit", 38, 2, true, false, 1193),
        new("Velocity Limit", 44, 4, true, false, 350),
        new("Max Position Limit", 48, 4, true, false, 4095),
        new("Min Position Limit", 52, 4, true, false, 0),
        new("Startup Configuration", 60, 1, true, false, 0),
        new("Shutdown", 63, 1, true, false, 52),
        new("Torque Enable", 64, 1, true, false, 0),
        new("LED", 65, 1, true, false, 0),
        new("Status Return Level", 68, 1, true, false, 2),
        new("Registered Instruction", 69, 1, false, false, 0),
        new("Hardware Error Status", 70, 1, false, false, 0),
        new("Velocity I Gain", 76, 2, true, false, 1920),
        new("Velocity P Gain", 78, 2, true, false, 100),
        new("Position D Gain", 80, 2, true, false, 0),
        new("Position I Gain", 82, 2, true, false, 0),
        new("Position P Gain", 84, 2, true, false, 800),
        new("Bus Watchdog", 98, 1, true, false, 0),
        new("Goal PWM", 100, 2, true, true, 0),
        new("Goal Current", 102, 2, true, true, 0),
        new("Goal Velocity", 104, 4, true, true, 0),
        new("Profile Acceleration", 108, 4, true, false, 0),
        new("Profile Velocity", 112, 4, true, false, 0),
        new("Goal Position", 116, 4, true, true, 0),
        new("Realtime Tick", 120, 2, false, false, 0),
        new("Moving", 122, 1, false, false, 0),
        new("Moving Status", 123, 1, false, false, 0),
        new("Present PWM", 124, 2, false, true, 0),
        new("Present Current", 126, 2, false, true, 0),
        new("Present Velocity", 128, 4, false, true, 0),
        new("Present Position", 132, 4, false, true, 0),
        new("Velocity Trajectory", 136, 4, false, true, 0),
        new("Position Trajectory", 140, 4, false, true, 0),
        new("Present Input Voltage", 144, 2, false, false, 120),
        new("Present Temperature", 146, 1, false, false, 30),
    });

    /// <summary>XM430-W350: model number 1020; about 4.1 N·m at 2.3 A stall (12 V), so ≈ 1.78 N·m/A.</summary>
    public static ServoModel XM430W350 { get; } = new("XM430-W350", 1020, XSeries, 1.78);

    /// <summary>Every known model.</summary>
    public static IReadOnlyList<ServoModel> All { get; } = new[] { XM430W350 };

    /// <summary>The model named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ServoModel? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The model whose number is <paramref name="number"/>, or null.</summary>
    public static ServoModel? ByNumber(int number) => All.FirstOrDefault(m => m.Number == number);

    /// <summary>A model number as a name where known: "XM430-W350 (1020)" or "model 1060".</summary>
    public static string Describe(int number) => ByNumber(number) is { } m ? $"{m.Name} ({number})" : $"model {number}";

    /// <summary>Baud Rate register codes (X430 series) and the rates they mean.</summary>
    public static IReadOnlyDictionary<int, int> BaudCodes { get; } = new Dictionary<int, int>
    {
        [0] = 9600, [1] = 57600, [2] = 115200, [3] = 1_000_000, [4] = 2_000_000, [5] = 3_000_000, [6] = 4_000_000, [7] = 4_500_000,
    };
}
