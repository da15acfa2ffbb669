using System.Globalization;
using System.Text;

namespace RlRobotics.Cli.Reports;

/// <summary>A minimal SVG line plot: one stacked panel per series against a shared axis (time in s by default).</summary>
internal static class PlotSvg
{
    public static string Panels(string title, IReadOnlyList<double> time, IReadOnlyList<(string Name, double[] Values, bool Step)> series, string unit = "s")
    {
        const int width = 800, panel = 130, left = 70, right = 20, top = 40, gap = 25;
        var height = top + series.Count * (panel + gap) + 20;
        var sb = new StringBuilder();
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append($"<text x=\"{left}\" y=\"22\" font-size=\"15\">{Escape(title)}</text>\n");
        var t0 = time[0];
        var t1 = time[^1] > t0 ? time[^1] : t0 + 1;
        for (var p = 0; p < series.Count; p++)
        {
            var (name, values, step) = series[p];
            var y0 = top + p * (panel + gap);
            var lo = values.Length == 0 ? 0 : values.Min();
            var hi = values.Length == 0 ? 1 : values.Max();
            if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
            double X(double t) => left + (t - t0) / (t1 - t0) * (width - left - right);
            double Y(double v) => y0 + panel - (v - lo) / (hi - lo) * panel;
            sb.Append($"<rect x=\"{left}\" y=\"{y0}\" width=\"{width - left - right}\" height=\"{panel}\" fill=\"none\" stroke=\"#ccc\"/>\n");
            sb.Append($"<text x=\"{left + 6}\" y=\"{y0 + 14}\" fill=\"#333\">{Escape(name)}</text>\n");
            sb.Append($"<text x=\"{left - 6}\" y=\"{F(y0 + 10)}\" text-anchor=\"end\" fill=\"#666\">{F(hi)}</text>\n");
            sb.Append($"<text x=\"{left - 6}\" y=\"{F(y0 + panel)}\" text-anchor=\"end\" fill=\"#666\">{F(lo)}</text>\n");
            sb.Append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
            for (var i = 0; i < values.Length; i++)
            {
                if (step && i > 0) sb.Append($"{F(X(time[i]))},{F(Y(values[i - 1]))} ");
                sb.Append($"{F(X(time[i]))},{F(Y(values[i]))} ");
            }
            if (step && values.Length > 0 && time.Count > values.Length) sb.Append($"{F(X(time[values.Length]))},{F(Y(values[^1]))}");
            sb.Append("\"/>\n");
        }
        var axisY = top + series.Count * (panel + gap) - gap + 16;
        sb.Append($"<text x=\"{left}\" y=\"{axisY}\" fill=\"#666\">{F(t0)} {unit}</text>\n");
        sb.Append($"<text x=\"{width - right}\" y=\"{axisY}\" text-anchor=\"end\" fill=\"#666\">{F(t1)} {unit}</text>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
