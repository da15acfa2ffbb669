using System.Diagnostics;
using RlRobotics.Serial.Ports;
using RlRobotics.Sim.Serial;

namespace RlRobotics.Serial.Tests;

/// <summary>The real termios port, on both ends of a socat pseudo-terminal pair the test starts and stops.</summary>
public sealed class TermiosPortTests
{
    [Fact]
    public void BytesPassBothWaysInRawModeWithoutEchoOrTranslation()
    {
        using var pair = PseudoTerminalPair.Start();
        using var a = TermiosPort.Open(pair.DriverEnd, 1_000_000);
        using var b = TermiosPort.Open(pair.DeviceEnd, 1_000_000, lowLatency: false);
        // Every byte value, CR/LF and XON/XOFF included: raw mode must not translate or swallow any.
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        a.Write(all, TimeSpan.FromSeconds(1));
        Assert.Equal(all, ReadExactly(b, all.Length));
        b.Write(new byte[] { 0x0D, 0x0A, 0x11, 0x13 }, TimeSpan.FromSeconds(1));
        Assert.Equal(new byte[] { 0x0D, 0x0A, 0x11, 0x13 }, ReadExactly(a, 4));
        Assert.Equal(0, a.Read(new byte[8], Deadline(20))); // no echo came back
    }

    [Fact]
    public void StandardRatesUseTheirCodeAndOthersUseBother()
    {
        using var pair = PseudoTerminalPair.Start();
        using (var standard = TermiosPort.Open(pair.DriverEnd, 1_000_000))
        {
            var (cflag, ispeed, ospeed, vmin, vtime) = standard.ReadBack();
            Assert.False(standard.CustomRate);
            Assert.Equal(0x1008u, cflag & 0x100F);   // B1000000
            Assert.Equal(1_000_000u, ospeed);
            Assert.Equal(1_000_000u, ispeed);
            Assert.Equal(0x30u, cflag & 0x30);         // CS8
            Assert.Equal(0u, cflag & 0x100);           // no parity
            Assert.Equal((0, 0), (vmin, vtime));
        }
        using var custom = TermiosPort.Open(pair.DriverEnd, 250_000);
        var back = custom.ReadBack();
        Assert.True(custom.CustomRate);
        Assert.Equal(0x1000u, back.CFlag & 0x100F);    // BOTHER
        Assert.Equal(250_000u, back.OSpeed);
    }

    [Fact]
    public void APseudoTerminalHasNoLatencyTimerAndThatIsReportedNotFatal()
    {
        using var pair = PseudoTerminalPair.Start();
        using var port = TermiosPort.Open(pair.DriverEnd, 1_000_000, lowLatency: true);
        Assert.False(port.LowLatency);
        Assert.Contains("pseudo-terminal", port.LowLatencyNote);
    }

    [Fact]
    public void ASecondOpenOfTheSamePortIsRefused()
    {
        using var pair = PseudoTerminalPair.Start();
        using var first = TermiosPort.Open(pair.DriverEnd, 1_000_000);
        var ex = Assert.Throws<SerialPortException>(() => TermiosPort.Open(pair.DriverEnd, 1_000_000));
        Assert.Contains("already in use", ex.Message);
        first.Dispose();
        using var again = TermiosPort.Open(pair.DriverEnd, 1_000_000); // the lock went with the first
    }

    [Fact]
    public void AReadWithNothingToReadReturnsEmptyOnceTheDeadlineHasPassed()
    {
        using var pair = PseudoTerminalPair.Start();
        using var port = TermiosPort.Open(pair.DriverEnd, 1_000_000);
        var deadline = Deadline(5);
        Assert.Equal(0, port.Read(new byte[16], deadline));
        Assert.True(Stopwatch.GetTimestamp() >= deadline);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Equal(0, port.Read(new byte[16], Deadline(60_000), cancelled.Token));
    }

    [Fact]
    public void BadPathsAndRatesGetClearErrors()
    {
        var missing = Assert.Throws<SerialPortException>(() => TermiosPort.Open("/dev/ttyDOES_NOT_EXIST", 1_000_000));
        Assert.Contains("/dev/ttyDOES_NOT_EXIST", missing.Message);
        Assert.Contains("plugged in", missing.Message);
        var notTty = Assert.Throws<SerialPortException>(() => TermiosPort.Open("/dev/null", 1_000_000));
        Assert.Contains("not a serial device", notTty.Message);
        var rate = Assert.Throws<SerialPortException>(() => TermiosPort.Open("/dev/null", 0));
        Assert.Contains("baud rate 0", rate.Message);
    }

    private static long Deadline(int ms) => Stopwatch.GetTimestamp() + ms * Stopwatch.Frequency / 1000;

    private static byte[] ReadExactly(TermiosPort port, int count)
    {
        var buffer = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = port.Read(buffer.AsSpan(got), Deadline(2000));
            Assert.True(n > 0, $"only {got} of {count} bytes arrived");
            got += n;
        }
        return buffer;
    }
}
