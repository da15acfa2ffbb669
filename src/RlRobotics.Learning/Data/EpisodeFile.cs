using System.Globalization;
using System.Text;

namespace RlRobotics.Learning.Data;

/// <summary>
/// Episodes on disk, as plain CSV that any tool reads (format <c>rlr-episodes v1</c>):
/// <code>
/// # rlr-episodes v1
/// # dt_s=0.02 delay_steps=1 controls=1
/// episode,step,t_s,&lt;state names…&gt;,&lt;control names…&gt;
/// 0,0,0.000,0.0012,-0.0004,…,3.91
/// </code>
/// One row per model step: the time, the measured state at the step's start, and the mean command written to the
/// hardware during the step. The control that moved the state from row k to row k + 1 of the same episode is the one
/// on row k − delay_steps (zero before the episode's first row): exactly what <see cref="TransitionAssembler"/> pairs.
/// Robot logs in this format train a model offline (<c>rlr train model</c>).
/// </summary>
public sealed class EpisodeFile
{
    public const string Magic = "# rlr-episodes v1";

    public EpisodeFile(IReadOnlyList<string> states, IReadOnlyList<string> controls, double dt_s, int delaySteps)
    {
        States = states.ToArray();
        Controls = controls.ToArray();
        Dt_s = dt_s;
        DelaySteps = delaySteps;
    }

    public IReadOnlyList<string> States { get; }
    public IReadOnlyList<string> Controls { get; }
    public double Dt_s { get; }
    public int DelaySteps { get; }

    /// <summary>Rows: (episode, step, record [t_s, state, control]).</summary>
    public List<(int Episode, int Step, double[] Record)> Rows { get; } = new();

    /// <summary>Writes the header when the file is new, then appends the rows.</summary>
    public static void Append(string path, EpisodeFile header, IEnumerable<(int Episode, int Step, double[] Record)> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        using var w = new StreamWriter(path, append: true, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (fresh)
        {
            w.WriteLine(Magic);
            w.WriteLine($"# dt_s={header.Dt_s.ToString("R", inv)} delay_steps={header.DelaySteps} controls={header.Controls.Count}");
            w.WriteLine("episode,step,t_s," + string.Join(",", header.States.Concat(header.Controls)));
        }
        foreach (var (episode, step, record) in rows)
            w.WriteLine($"{episode},{step}," + string.Join(",", record.Select(v => v.ToString("R", inv))));
    }

    /// <summary>Reads a file; <see cref="FormatException"/> names the line and what was wrong.</summary>
    public static EpisodeFile Read(string path)
    {
        var inv = CultureInfo.InvariantCulture;
        using var r = new StreamReader(path);
        var line = 0;
        string Next() { line++; return r.ReadLine() ?? throw new FormatException($"{path}:{line}: unexpected end of file"); }
        if (Next().Trim() != Magic) throw new FormatException($"{path}:1: not an episode file (expected '{Magic}')");
        var settings = Next().TrimStart('#').Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!settings.TryGetValue("dt_s", out var dtText) || !double.TryParse(dtText, NumberStyles.Float, inv, out var dt) || !(dt > 0))
            throw new FormatException($"{path}:2: expected 'dt_s=<seconds>'");
        if (!settings.TryGetValue("delay_steps", out var delayText) || !int.TryParse(delayText, out var delay) || delay < 0)
            throw new FormatException($"{path}:2: expected 'delay_steps=<whole number>'");
        if (!settings.TryGetValue("controls", out var controlText) || !int.TryParse(controlText, out var controlCount) || controlCount < 1)
            throw new FormatException($"{path}:2: expected 'controls=<count>'");
        var columns = Next().Split(',');
        if (columns.Length < 4 + controlCount || columns[0] != "episode" || columns[1] != "step" || columns[2] != "t_s")
            throw new FormatException($"{path}:3: expected the column header 'episode,step,t_s,<states>,<controls>'");
        var names = columns[3..];
        var file = new EpisodeFile(names[..^controlCount], names[^controlCount..], dt, delay);
        string? text;
        while ((text = r.ReadLine()) is not null)
        {
            line++;
            if (text.Length == 0 || text[0] == '#') continue;
            var parts = text.Split(',');
            if (parts.Length != 3 + names.Length) throw new FormatException($"{path}:{line}: expected {3 + names.Length} columns, found {parts.Length}");
            if (!int.TryParse(parts[0], NumberStyles.Integer, inv, out var episode) || !int.TryParse(parts[1], NumberStyles.Integer, inv, out var step))
                throw new FormatException($"{path}:{line}: episode and step must be whole numbers");
            var record = new double[1 + names.Length];
            for (var i = 0; i < record.Length; i++)
                if (!double.TryParse(parts[2 + i], NumberStyles.Float, inv, out record[i]) || !double.IsFinite(record[i]))
                    throw new FormatException($"{path}:{line}: column {3 + i} ('{parts[2 + i]}') is not a finite number");
            file.Rows.Add((episode, step, record));
        }
        return file;
    }

    /// <summary>Every transition of the file's episodes into <paramref name="buffer"/> (gaps in time are not bridged).</summary>
    public int Load(ReplayBuffer buffer)
    {
        var assembler = new TransitionAssembler(States.Count, Controls.Count, Dt_s, DelaySteps);
        var added = 0;
        int? episode = null;
        foreach (var (e, _, record) in Rows)
        {
            if (e != episode) { assembler.Reset(); episode = e; }
            if (assembler.Add(record, buffer, e)) added++;
        }
        return added;
    }
}
