using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml.Linq;

namespace RlRobotics.Hil.Reports;

/// <summary>The machine-readable results of a <c>rlr hil run</c>: JSON (every figure) and JUnit XML (for CI systems).</summary>
public static class HilReports
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string ToJson(IReadOnlyList<ScenarioResult> results, double total_s, IReadOnlyList<FaultSummary>? summary = null) =>
        JsonSerializer.Serialize(new
        {
            passed = results.Count(r => r.Passed),
            failed = results.Count(r => !r.Passed),
            total_s,
            fault_kinds = summary ?? FaultSummary.Of(results),
            scenarios = results,
        }, Json);

    /// <summary>One test suite, a test case per scenario; a failed scenario's failure message lists its failed criteria.</summary>
    public static string ToJUnit(IReadOnlyList<ScenarioResult> results, double total_s)
    {
        var inv = CultureInfo.InvariantCulture;
        var suite = new XElement("testsuite",
            new XAttribute("name", "rlr hil"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", results.Count(r => !r.Passed && r.Error is null)),
            new XAttribute("errors", results.Count(r => r.Error is not null)),
            new XAttribute("time", total_s.ToString("0.###", inv)),
            results.Select(r =>
            {
                var testcase = new XElement("testcase",
                    new XAttribute("classname", "hil." + Path.GetFileNameWithoutExtension(r.File)),
                    new XAttribute("name", r.Name),
                    new XAttribute("time", r.WallTime_s.ToString("0.###", inv)));
                if (r.Error is not null) testcase.Add(new XElement("error", new XAttribute("message", r.Error)));
                else if (!r.Passed) testcase.Add(new XElement("failure", new XAttribute("message", r.FailureReason), Details(r)));
                testcase.Add(new XElement("system-out", Details(r)));
                return testcase;
            }));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite)).ToString();
    }

    static string Details(ScenarioResult r) => string.Join("\n",
        r.Criteria.Select(c => $"{(c.Passed ? "PASS" : "FAIL")} {c.Name}: {c.Detail}")
            .Concat(r.Faults.Select(f => $"fault {f.Description}: detected {Seconds(f.Detected_s)}, recovered {Seconds(f.Recovered_s)}")));

    /// <summary>Seconds shown as milliseconds, or a dash when there is no figure.</summary>
    public static string Seconds(double? s) => s is { } v ? (v * 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " ms" : "–";
}
