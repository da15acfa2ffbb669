using System.CommandLine;
using RlRobotics.Core.Expressions;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Serial.Ports;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary>
/// <c>rlr dxl</c>: bring-up of a Dynamixel Protocol 2.0 bus — scan for servos, read and write control-table items
/// by name, reboot a servo after a hardware error, list the control table.
/// </summary>
internal static class DxlCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var dxl = new Command("dxl", "Dynamixel bring-up: scan a bus, read and write control-table items by name, reboot a servo");
        dxl.Subcommands.Add(Scan(output, error));
        dxl.Subcommands.Add(ReadOrWrite(output, error, write: false));
        dxl.Subcommands.Add(ReadOrWrite(output, error, write: true));
        dxl.Subcommands.Add(Reboot(output, error));
        dxl.Subcommands.Add(Items(output));
        return dxl;
    }

    private static Option<string> Port() => new("--port") { Description = "Serial device (e.g. /dev/ttyUSB0)", Required = true, HelpName = "device" };

    private static Option<int> Baud()
    {
        var baud = new Option<int>("--baud") { Description = "Line rate, bit/s", DefaultValueFactory = _ => 1_000_000, HelpName = "bit/s" };
        baud.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 9600 or > 10_500_000) r.AddError($"--baud: expected 9600 … 10500000 bit/s, got {v}"); });
        return baud;
    }

    private static Option<int> Id()
    {
        var id = new Option<int>("--id") { Description = "Servo id (0 … 252)", Required = true };
        id.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 0 or > 252) r.AddError($"--id: expected 0 … 252, got {v}"); });
        return id;
    }

    // Bring-up settings: the servos may still have their factory return delay (500 µs) and the adapter 16 ms latency.
    private static readonly DynamixelBusOptions BringUp = new()
    {
        Retries = 2,
        ReturnDelay_us = 500,
        AdapterLatency = TimeSpan.FromMilliseconds(16),
        Margin = TimeSpan.FromMilliseconds(5),
    };

    // Opens the bus, or reports why not (exit 1: the device, not the arguments, is the problem).
    private static DynamixelBus? Open(string port, int baud, TextWriter error)
    {
        try
        {
            return new DynamixelBus(TermiosPort.Open(port, baud), BringUp);
        }
        catch (SerialPortException ex)
        {
            error.WriteLine($"rlr dxl: {ex.Message}");
            return null;
        }
    }

    private static Command Scan(TextWriter output, TextWriter error)
    {
        var port = Port();
        var baud = Baud();
        var command = new Command("scan", "Ping every id (broadcast) and list the servos that answer: id, model, firmware") { port, baud };
        command.SetAction(parse =>
        {
            using var bus = Open(parse.GetValue(port)!, parse.GetValue(baud), error);
            if (bus is null) return ExitCodes.TaskFailed;
            var found = bus.Scan();
            var console = RunCommand.Console(output);
            if (found.Count == 0)
            {
                console.MarkupLine($"no servo answered on {Markup.Escape(bus.PortPath)} at {bus.Baud} bit/s (check the power, the baud rate and the wiring; factory servos run at 57600)");
                return ExitCodes.TaskFailed;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "model", "model number", "firmware");
            foreach (var f in found)
                table.AddRow($"{f.Id}", Markup.Escape(ServoModels.ByNumber(f.ModelNumber)?.Name ?? "unknown"), $"{f.ModelNumber}", $"{f.Firmware}");
            console.MarkupLine($"{found.Count} servo(s) on {Markup.Escape(bus.PortPath)} at {bus.Baud} bit/s");
            console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ReadOrWrite(TextWriter output, TextWriter error, bool write)
    {
        var port = Port();
        var baud = Baud();
        var id = Id();
        var item = new Option<string>("--item") { Description = "Control-table item, e.g. \"Goal Position\" (see 'rlr dxl items')", Required = true, HelpName = "name" };
        var value = new Option<long>("--value") { Description = "Raw value to write (the item's own units)", Required = write };
        var command = write
            ? new Command("write", "Write one control-table item of one servo (EEPROM items only while its torque is off)") { port, baud, id, item, value }
            : new Command("read", "Read one control-table item of one servo") { port, baud, id, item };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(item)!;
            var it = ServoModels.XSeries.Find(name);
            if (it is null)
            {
                var hint = NameSuggester.Suggest(name, ServoModels.XSeries.Items.Select(i => i.Name)) is { } s ? $"; did you mean '{s}'?" : "; 'rlr dxl items' lists them";
                error.WriteLine($"rlr dxl: no control-table item '{name}'{hint}");
                return ExitCodes.BadInput;
            }
            long raw = 0;
            if (write)
            {
                raw = parse.GetValue(value);
                if (!it.Writable)
                {
                    error.WriteLine($"rlr dxl: '{it.Name}' is read-only");
                    return ExitCodes.BadInput;
                }
                var (min, max) = Range(it);
                if (raw < min || raw > max)
                {
                    error.WriteLine($"rlr dxl: '{it.Name}' is {it.Size} byte(s){(it.Signed ? ", signed" : "")}: expected {min} … {max}, got {raw}");
                    return ExitCodes.BadInput;
                }
            }
            using var bus = Open(parse.GetValue(port)!, parse.GetValue(baud), error);
            if (bus is null) return ExitCodes.TaskFailed;
            var servo = (byte)parse.GetValue(id);
            var data = new byte[it.Size];
            TransactionResult r;
            if (write)
            {
                ControlTable.Encode((int)raw, data);
                r = bus.Write(servo, it.Address, data);
            }
            else r = bus.Read(servo, it.Address, data);
            if (!r.HasData)
            {
                error.WriteLine($"rlr dxl: {(write ? "writing" : "reading")} '{it.Name}' of id {servo} failed: {r.Describe()}");
                return ExitCodes.TaskFailed;
            }
            var shown = write ? raw : it.Decode(data);
            output.WriteLine($"id {servo} {it.Name} (address {it.Address}, {it.Size} byte{(it.Size > 1 ? "s" : "")}, {(it.Area == MemoryArea.Eeprom ? "EEPROM" : "RAM")}) {(write ? "←" : "=")} {shown}");
            if (r.Status == TransactionStatus.HardwareAlert)
                output.WriteLine($"note: id {servo} reports a hardware error; read 'Hardware Error Status', fix the cause, then 'rlr dxl reboot --id {servo}'");
            return ExitCodes.Success;
        });
        return command;
    }

    private static (long Min, long Max) Range(ControlItem it) => (it.Size, it.Signed) switch
    {
        (1, false) => (0, byte.MaxValue),
        (1, true) => (sbyte.MinValue, sbyte.MaxValue),
        (2, false) => (0, ushort.MaxValue),
        (2, true) => (short.MinValue, short.MaxValue),
        (_, false) => (0, int.MaxValue),
        _ => (int.MinValue, int.MaxValue),
    };

    private static Command Reboot(TextWriter output, TextWriter error)
    {
        var port = Port();
        var baud = Baud();
        var id = Id();
        var command = new Command("reboot", "Reboot one servo: clears a latched hardware error (torque is off afterwards)") { port, baud, id };
        command.SetAction(parse =>
        {
            using var bus = Open(parse.GetValue(port)!, parse.GetValue(baud), error);
            if (bus is null) return ExitCodes.TaskFailed;
            var servo = (byte)parse.GetValue(id);
            var r = bus.Reboot(servo);
            if (!r.HasData)
            {
                error.WriteLine($"rlr dxl: reboot of id {servo} failed: {r.Describe()}");
                return ExitCodes.TaskFailed;
            }
            output.WriteLine($"id {servo} rebooted");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Items(TextWriter output)
    {
        var command = new Command("items", "List the X-series control table: name, address, size, area, access");
        command.SetAction(_ =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("item", "address", "size", "area", "access", "factory");
            foreach (var it in ServoModels.XSeries.Items)
                table.AddRow(Markup.Escape(it.Name), $"{it.Address}", $"{it.Size}", it.Area == MemoryArea.Eeprom ? "EEPROM" : "RAM", it.Writable ? "RW" : "R", $"{it.Initial}");
            RunCommand.Console(output).Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
