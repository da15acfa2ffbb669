using System.Runtime.InteropServices;

namespace RlRobotics.Serial.Ports;

/// <summary>
/// The libc calls and Linux x86_64/arm64 constants the termios port needs (values from the kernel UAPI headers
/// <c>asm-generic/termbits.h</c>, <c>asm-generic/ioctls.h</c>, <c>linux/tty_flags.h</c>; they differ on powerpc,
/// mips, sparc and alpha, which we do not support).
/// </summary>
internal static partial class Libc
{
    public const int ORdWr = 0x2, ONoCtty = 0x100, ONonBlock = 0x800, OCloExec = 0x80000;
    public const int EIntr = 4, EAgain = 11, ENotTty = 25;
    public const short PollIn = 0x1, PollOut = 0x4, PollErr = 0x8, PollHup = 0x10, PollNval = 0x20;
    public const int LockEx = 2, LockNb = 4;

    // ioctl requests.
    public const uint TcGets2 = 0x802C542A, TcSets2 = 0x402C542B;
    public const uint TcFlush = 0x540B, TiocExcl = 0x540C;
    public const uint TiocGSerial = 0x541E, TiocSSerial = 0x541F;
    public const int TcIFlush = 0;

    // termios2 flags (octal in the headers).
    public const uint IgnBrk = 0x1, BrkInt = 0x2, ParMrk = 0x8, InPck = 0x10, IStrip = 0x20,
        InlCr = 0x40, IgnCr = 0x80, ICrNl = 0x100, IXon = 0x400, IXAny = 0x800, IXOff = 0x1000;
    public const uint OPost = 0x1;
    public const uint ISig = 0x1, ICanon = 0x2, Echo = 0x8, EchoNl = 0x40, IExten = 0x8000;
    public const uint CSize = 0x30, Cs8 = 0x30, CStopB = 0x40, CRead = 0x80, ParEnb = 0x100, CLocal = 0x800,
        CrtsCts = 0x80000000, CBaud = 0x100F, BOther = 0x1000;
    public const int VTime = 5, VMin = 6;

    /// <summary><c>ASYNC_LOW_LATENCY</c> in <c>serial_struct.flags</c>: ftdi_sio then sets its latency timer to 1 ms.</summary>
    public const int AsyncLowLatency = 1 << 13;

    /// <summary>The kernel's <c>struct termios2</c>: 44 bytes, c_cc[19] at 17, c_ispeed at 36, c_ospeed at 40.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Termios2
    {
        public uint IFlag, OFlag, CFlag, LFlag;
        public byte Line;
        public fixed byte Cc[19];
        public uint ISpeed, OSpeed;
    }

    /// <summary>The kernel's <c>struct serial_struct</c> (72 bytes on 64-bit); only <see cref="Flags"/> is used.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SerialStruct
    {
        public int Type, Line;
        public uint Port;
        public int Irq, Flags, XmitFifoSize, CustomDivisor, BaudBase;
        public ushort CloseDelay;
        public byte IoType, ReservedChar;
        public int Hub6;
        public ushort ClosingWait, ClosingWait2;
        public IntPtr IomemBase;
        public ushort IomemRegShift;
        public uint PortHigh;
        public ulong IomapBase;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    public static unsafe partial int PPoll(PollFd* fds, nuint count, Timespec* timeout, IntPtr sigmask);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static unsafe partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
