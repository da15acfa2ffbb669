using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RlRobotics.Serial.Ports;

/// <summary>
/// A Linux serial port through termios, opened the way a bus driver needs it: <c>O_RDWR|O_NOCTTY|O_NONBLOCK</c>,
/// exclusive (<c>TIOCEXCL</c> plus an <c>flock</c>, which also holds against root and other processes), raw 8N1
/// with CLOCAL|CREAD and no flow control, VMIN = VTIME = 0, and the rate set through <c>termios2</c> — a standard
/// Bxxx code where one exists, <c>BOTHER</c> with the exact rate otherwise. Reads wait in <c>ppoll</c> against a
/// monotonic deadline. Low latency is asked for (<c>ASYNC_LOW_LATENCY</c>, and the FTDI sysfs latency timer set
/// to 1 ms); a pseudo-terminal has neither, which is reported, not an error.
/// </summary>
public sealed unsafe class TermiosPort : ISerialPort
{
    private static readonly (int Rate, uint Code)[] StandardRates =
    {
        (9600, 0xD), (19200, 0xE), (38400, 0xF), (57600, 0x1001), (115200, 0x1002), (230400, 0x1003), (460800, 0x1004),
        (500000, 0x1005), (576000, 0x1006), (921600, 0x1007), (1000000, 0x1008), (1152000, 0x1009), (1500000, 0x100A),
        (2000000, 0x100B), (2500000, 0x100C), (3000000, 0x100D), (3500000, 0x100E), (4000000, 0x100F),
    };

    private int _fd;

    private TermiosPort(string path, int fd, int baud)
    {
        Path = path;
        _fd = fd;
        Baud = baud;
    }

    public string Path { get; }
    public int Baud { get; }
    public bool LowLatency { get; private set; }

    /// <summary>Why low latency could not be set (e.g. "not a USB serial adapter (pseudo-terminal)"), or null.</summary>
    public string? LowLatencyNote { get; private set; }

    /// <summary>Whether <see cref="Baud"/> was set as a custom rate (<c>BOTHER</c>) rather than a standard code.</summary>
    public bool CustomRate { get; private set; }

    /// <summary>Opens and configures <paramref name="path"/>; throws <see cref="SerialPortException"/> naming the path and the cause.</summary>
    public static TermiosPort Open(string path, int baud, bool lowLatency = true)
    {
        if (baud <= 0 || baud > 20_000_000) throw new SerialPortException($"{path}: baud rate {baud} is out of range (1 … 20000000 bit/s)");
        var fd = Libc.Open(path, Libc.ORdWr | Libc.ONoCtty | Libc.ONonBlock | Libc.OCloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var hint = errno switch
            {
                2 => " (no such device: is the adapter plugged in, and is the path right?)",
                13 => " (permission denied: add the user to the 'dialout' group)",
                16 => " (busy: another program has it open)",
                _ => "",
            };
            throw new SerialPortException($"{path}: cannot open: {Libc.Describe(errno)}{hint}", errno);
        }
        var port = new TermiosPort(path, fd, baud);
        try
        {
            port.Lock();
            port.Configure(baud);
            if (lowLatency) port.SetLowLatency();
            port.DiscardInput();
        }
        catch
        {
            port.Dispose();
            throw;
        }
        return port;
    }

    private void Lock()
    {
        if (Libc.Flock(_fd, Libc.LockEx | Libc.LockNb) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SerialPortException($"{Path}: already in use by another driver or process (exclusive lock refused: {Libc.Describe(errno)})", errno);
        }
        // TIOCEXCL refuses further open() calls by non-root users; the flock above covers everyone else.
        Libc.Ioctl(_fd, Libc.TiocExcl, 0);
    }

    private void Configure(int baud)
    {
        Libc.Termios2 t;
        if (Libc.Ioctl(_fd, Libc.TcGets2, &t) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SerialPortException(errno == Libc.ENotTty
                ? $"{Path}: not a serial device (TCGETS2: {Libc.Describe(errno)})"
                : $"{Path}: cannot read its settings: {Libc.Describe(errno)}", errno);
        }
        // cfmakeraw, plus what a bus needs: 8N1, receiver on, modem lines ignored, no flow control.
        t.IFlag &= ~(Libc.IgnBrk | Libc.BrkInt | Libc.ParMrk | Libc.IStrip | Libc.InlCr | Libc.IgnCr | Libc.ICrNl | Libc.IXon | Libc.IXOff | Libc.IXAny | Libc.InPck);
        t.OFlag &= ~Libc.OPost;
        t.LFlag &= ~(Libc.Echo | Libc.EchoNl | Libc.ICanon | Libc.ISig | Libc.IExten);
        t.CFlag &= ~(Libc.CSize | Libc.ParEnb | Libc.CStopB | Libc.CrtsCts | Libc.CBaud);
        t.CFlag |= Libc.Cs8 | Libc.CLocal | Libc.CRead;
        t.Cc[Libc.VMin] = 0; // never block in read(): ppoll times every wait
        t.Cc[Libc.VTime] = 0;
        var code = Libc.BOther;
        foreach (var (rate, c) in StandardRates) if (rate == baud) code = c;
        CustomRate = code == Libc.BOther;
        t.CFlag |= code;
        t.ISpeed = t.OSpeed = (uint)baud;
        if (Libc.Ioctl(_fd, Libc.TcSets2, &t) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SerialPortException($"{Path}: the driver refused {baud} bit/s 8N1 raw mode: {Libc.Describe(errno)}", errno);
        }
    }

    private void SetLowLatency()
    {
        Libc.SerialStruct s;
        if (Libc.Ioctl(_fd, Libc.TiocGSerial, &s) == 0)
        {
            s.Flags |= Libc.AsyncLowLatency;
            LowLatency = Libc.Ioctl(_fd, Libc.TiocSSerial, &s) == 0;
            if (!LowLatency) LowLatencyNote = $"TIOCSSERIAL refused: {Libc.Describe(Marshal.GetLastPInvokeError())}";
        }
        else
        {
            LowLatencyNote = "the driver has no serial_struct (a pseudo-terminal or a non-UART device): no latency timer to set";
        }
        // FTDI adapters: the latency timer in sysfs, 16 ms by default, 1 ms is the minimum.
        var name = System.IO.Path.GetFileName(ResolveLink(Path));
        var timer = $"/sys/bus/usb-serial/devices/{name}/latency_timer";
        if (File.Exists(timer))
        {
            try
            {
                if (File.ReadAllText(timer).Trim() != "1") File.WriteAllText(timer, "1");
                LowLatency = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LowLatencyNote = $"cannot set {timer} to 1 ms ({ex.Message}); add a udev rule (see robots/arm6.dxl.yaml)";
            }
        }
    }

    private static string ResolveLink(string path)
    {
        try { return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path; }
        catch (IOException) { return path; }
    }

    public void Write(ReadOnlySpan<byte> data, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Libc.Write(Fd, p + done, data.Length - done);
                if (n > 0) { done += (int)n; continue; }
                var errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno == Libc.EIntr) continue;
                if (n < 0 && errno != Libc.EAgain) throw Failure("write", errno);
                if (!Wait(Libc.PollOut, deadline, default))
                    throw new SerialPortException($"{Path}: write timed out after {timeout.TotalMilliseconds:0.###} ms with {data.Length - done} bytes unsent");
            }
        }
    }

    public int Read(Span<byte> buffer, long deadline, CancellationToken cancel = default)
    {
        if (buffer.IsEmpty) return 0;
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.Read(Fd, p, buffer.Length);
                if (n > 0) return (int)n;
                // With VMIN = VTIME = 0 an empty tty read returns 0 rather than EAGAIN; a hang-up shows in poll.
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EIntr) continue;
                    if (errno != Libc.EAgain) throw Failure("read", errno);
                }
                if (!Wait(Libc.PollIn, deadline, cancel)) return 0;
            }
        }
    }

    // Waits for the event or the deadline in slices of at most 1 ms, so a cancellation is seen promptly.
    private bool Wait(short events, long deadline, CancellationToken cancel)
    {
        var fd = new Libc.PollFd { Fd = Fd, Events = events };
        while (true)
        {
            if (cancel.IsCancellationRequested) return false;
            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0) return false;
            var ns = Math.Min(remaining * (1_000_000_000.0 / Stopwatch.Frequency), 1_000_000);
            var ts = new Libc.Timespec { Seconds = 0, Nanoseconds = (long)ns };
            fd.REvents = 0;
            var r = Libc.PPoll(&fd, 1, &ts, IntPtr.Zero);
            if (r < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EIntr) continue;
                throw Failure("poll", errno);
            }
            if (r == 0) continue;
            if ((fd.REvents & events) != 0) return true;
            if ((fd.REvents & (Libc.PollErr | Libc.PollHup | Libc.PollNval)) != 0)
                throw new SerialPortException($"{Path}: the device reported {((fd.REvents & Libc.PollHup) != 0 ? "a hang-up" : "an error")} (unplugged?)");
        }
    }

    /// <summary>The driver's settings as it holds them now (c_cflag, input and output rate), read back with TCGETS2.</summary>
    internal (uint CFlag, uint ISpeed, uint OSpeed, byte VMin, byte VTime) ReadBack()
    {
        Libc.Termios2 t;
        if (Libc.Ioctl(Fd, Libc.TcGets2, &t) != 0) throw Failure("TCGETS2", Marshal.GetLastPInvokeError());
        return (t.CFlag, t.ISpeed, t.OSpeed, t.Cc[Libc.VMin], t.Cc[Libc.VTime]);
    }

    public void DiscardInput()
    {
        if (Libc.Ioctl(Fd, Libc.TcFlush, Libc.TcIFlush) != 0) throw Failure("flush", Marshal.GetLastPInvokeError());
    }

    private int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(Path);

    private SerialPortException Failure(string what, int errno) => new($"{Path}: {what} failed: {Libc.Describe(errno)}", errno);

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Libc.Close(fd); // closing drops the flock and the TIOCEXCL
    }
}
