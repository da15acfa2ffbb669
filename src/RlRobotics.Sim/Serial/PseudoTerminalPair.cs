using System.ComponentModel;
using System.Diagnostics;

namespace RlRobotics.Sim.Serial;

/// <summary>
/// Two linked pseudo-terminals made by <c>socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B</c>: bytes
/// written to one end come out of the other. The driver opens <see cref="DriverEnd"/> exactly as it would open
/// <c>/dev/ttyUSB0</c>; a servo-chain double answers on <see cref="DeviceEnd"/>. Disposing stops socat and removes
/// the links. Ptys ignore the baud rate and have no latency timer, so timing on them is the double's to simulate.
/// </summary>
public sealed class PseudoTerminalPair : IDisposable
{
    private readonly Process _socat;
    private readonly string? _ownedDirectory;

    private PseudoTerminalPair(Process socat, string driverEnd, string deviceEnd, string? ownedDirectory)
    {
        _socat = socat;
        DriverEnd = driverEnd;
        DeviceEnd = deviceEnd;
        _ownedDirectory = ownedDirectory;
    }

    /// <summary>The link the driver opens (points at /dev/pts/N).</summary>
    public string DriverEnd { get; }

    /// <summary>The link the double opens.</summary>
    public string DeviceEnd { get; }

    /// <summary>
    /// Starts socat and waits (at most <paramref name="timeout"/>, 5 s by default) until both links exist.
    /// <paramref name="driverLink"/> names the driver's link (a fresh temporary directory holds both when null).
    /// </summary>
    /// <exception cref="InvalidOperationException">socat is missing or did not make the pair in time.</exception>
    public static PseudoTerminalPair Start(string? driverLink = null, TimeSpan? timeout = null)
    {
        string? owned = null;
        if (driverLink is null)
        {
            owned = Directory.CreateTempSubdirectory("rlr-pty-").FullName;
            driverLink = Path.Combine(owned, "bus");
        }
        var deviceLink = driverLink + ".device";
        foreach (var link in new[] { driverLink, deviceLink })
            if (File.Exists(link) || new FileInfo(link).LinkTarget is not null)
                throw new InvalidOperationException($"{link} already exists; is another double running? Remove it or choose another --link");
        var info = new ProcessStartInfo("socat", ["-d", "-d", $"pty,raw,echo=0,link={driverLink}", $"pty,raw,echo=0,link={deviceLink}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process socat;
        try
        {
            socat = Process.Start(info) ?? throw new InvalidOperationException("socat did not start");
        }
        catch (Win32Exception)
        {
            throw new InvalidOperationException("socat is not installed; scripts/install-deps.sh installs it (apt-get install socat)");
        }
        socat.ErrorDataReceived += (_, _) => { };
        socat.BeginErrorReadLine();
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? TimeSpan.FromSeconds(5)).TotalSeconds * Stopwatch.Frequency);
        while (!(Exists(driverLink) && Exists(deviceLink)))
        {
            if (socat.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                Stop(socat);
                throw new InvalidOperationException($"socat did not create the pseudo-terminal pair {driverLink} ↔ {deviceLink}");
            }
            Thread.Sleep(2);
        }
        return new PseudoTerminalPair(socat, driverLink, deviceLink, owned);
    }

    private static bool Exists(string link) => new FileInfo(link).LinkTarget is { } target && File.Exists(target);

    private static void Stop(Process p)
    {
        try
        {
            if (!p.HasExited) p.Kill();
            p.WaitForExit(2000);
        }
        catch (InvalidOperationException) { }
        p.Dispose();
    }

    public void Dispose()
    {
        Stop(_socat);
        foreach (var link in new[] { DriverEnd, DeviceEnd })
            try { File.Delete(link); } catch (IOException) { }
        if (_ownedDirectory is not null)
            try { Directory.Delete(_ownedDirectory, recursive: true); } catch (IOException) { }
    }
}
