using System.Diagnostics;

namespace RlRobotics.Core.Processes;

/// <summary>
/// A helper process on the other end of a test or benchmark (an echo peer, a pong, a sink): started with stdin and stdout
/// redirected, ready once it prints <c>ready</c>, stopped by closing its stdin. Killed if it does not stop.
/// </summary>
public sealed class PeerProcess : IDisposable
{
    readonly Process _process;

    /// <summary>Starts <paramref name="start"/> (stdin and stdout are redirected here) and waits for its "ready" line.</summary>
    public PeerProcess(ProcessStartInfo start, string what, TimeSpan? readyWithin = null)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {what}");
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        var ready = _process.StandardOutput.ReadLineAsync();
        if (ready.Wait(readyWithin ?? TimeSpan.FromSeconds(60)) && ready.Result == "ready") return;
        var said = ready.IsCompleted ? $"'{ready.Result}'" : "nothing";
        Dispose();
        throw new InvalidOperationException($"{what} did not start: it said {said}");
    }

    /// <summary>Waits for the next line it prints to be <paramref name="line"/> (a handshake step, e.g. "matched").</summary>
    public void Expect(string line, TimeSpan within)
    {
        var next = _process.StandardOutput.ReadLineAsync();
        if (!next.Wait(within)) throw new TimeoutException($"the peer did not say '{line}' within {within.TotalSeconds:0.#} s");
        if (next.Result != line) throw new InvalidOperationException($"the peer said '{next.Result}', expected '{line}'");
    }

    /// <summary>Closes its stdin, waits for it to end, and returns the last line it printed.</summary>
    public string Finish()
    {
        _process.StandardInput.Close();
        var text = _process.StandardOutput.ReadToEnd();
        _process.WaitForExit(20_000);
        return text.Trim().Split('\n')[^1];
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try { _process.StandardInput.Close(); } catch (IOException) { }
            if (!_process.WaitForExit(5_000)) _process.Kill(true);
        }
        _process.Dispose();
    }
}
