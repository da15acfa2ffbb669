using System.Globalization;
using System.Net;
using System.Text;

namespace RlRobotics.Hil.Reports;

/// <summary>
/// One chart of the HTML report: panels stacked under each other, each with its own y axis and the same x axis, written
/// as inline SVG that is also well-formed XML (every element closed, every text encoded), so it needs no script and a test
/// can parse it. Coordinates are SVG user units, which are CSS pixels at the report's 1:1 size.
/// </summary>
internal sealed class SvgPlot
{
    /// <summary>The chart's width and the plot area's margins (px): the same for every chart, so time axes line up.</summary>
    public const double Width = 1100, Left = 130, Right = 20;
    public const double PlotWidth = Width - Left - Right;
    /// <summary>At most this many points per polyline; longer series keep each bucket's minimum and maximum.</summary>
    public const int MaxPoints = 1500;

    const double Header = 24, TickLabels = 20, Gap = 8;
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    readonly StringBuilder _body = new();
    readonly string _id, _class, _title;
    double _bottom;
    bool _panelOpen;

    public SvgPlot(string id, string cssClass, string title) => (_id, _class, _title) = (id, cssClass, title);

    /// <summary>How a legend entry is drawn: a line, a dashed line, or a filled box.</summary>
    public enum Swatch { Line, Dashed, Fill }

    public readonly record struct LegendItem(string Label, string Colour, Swatch Swatch, double Opacity = 1);

    /// <summary>An axis's data range, and the 1-2-5 ticks that label it.</summary>
    public readonly record struct AxisRange(double Min, double Max)
    {
        /// <summary>The range of the finite values given, padded by <paramref name="pad"/> of its span (a flat series gets ±1).</summary>
        public static AxisRange Of(IEnumerable<double> values, double pad = 0.05)
        {
            var (lo, hi) = (double.PositiveInfinity, double.NegativeInfinity);
            foreach (var v in values)
                if (double.IsFinite(v)) (lo, hi) = (Math.Min(lo, v), Math.Max(hi, v));
            if (lo > hi) return new AxisRange(-1, 1);
            if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) return new AxisRange(lo - Math.Max(1, Math.Abs(lo) * 0.1), hi + Math.Max(1, Math.Abs(hi) * 0.1));
            var p = (hi - lo) * pad;
            return new AxisRange(lo - p, hi + p);
        }

        /// <summary>About <paramref name="target"/> ticks at multiples of 1, 2 or 5 × 10ⁿ, labelled with just enough decimals.</summary>
        public IEnumerable<(double Value, string Label)> Ticks(int target)
        {
            var step = NiceStep((Max - Min) / target);
            var decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));
            for (var v = Math.Ceiling(Min / step - 1e-9) * step; v <= Max + step * 1e-9; v += step)
            {
                var t = Math.Abs(v) < step * 1e-6 ? 0 : v; // no "-0"
                yield return (t, t.ToString("F" + decimals, Inv));
            }
        }

        /// <summary>The 1-2-5 × 10ⁿ step nearest above <paramref name="raw"/>.</summary>
        public static double NiceStep(double raw)
        {
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            var n = raw / magnitude;
            return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
        }

        /// <summary>This range widened to the nearest ticks, so the axis starts and ends on a labelled value.</summary>
        public AxisRange Rounded(int target)
        {
            var step = NiceStep((Max - Min) / target);
            return new AxisRange(Math.Floor(Min / step + 1e-9) * step, Math.Ceiling(Max / step - 1e-9) * step);
        }
    }

    /// <summary>
    /// Adds a panel of <paramref name="height"/> px below the last one, with a title and legend above it, gridlines and
    /// tick labels (<paramref name="yTicks"/> replaces the numeric y ticks, e.g. with lane names), and returns it to draw on.
    /// </summary>
    public Panel AddPanel(string title, double height, AxisRange x, AxisRange y, IReadOnlyList<LegendItem> legend,
        IReadOnlyList<(double Value, string Label)>? yTicks = null)
    {
        ClosePanel();
        var top = _bottom + Header;
        var panel = new Panel(_body, top, height, x, y);
        // The panel's group stays open for what is drawn on it, until the next panel, a caption or the end.
        _body.Append("<g class=\"panel\" data-title=\"").Append(Encode(title)).Append("\">");
        _panelOpen = true;
        Text(Left, top - 8, title, "panel-title", "start", bold: true);
        var lx = Left + Math.Max(120, 7 * title.Length + 24);
        foreach (var item in legend)
        {
            _body.Append("<g class=\"legend-item\">");
            var ly = top - 12;
            if (item.Swatch == Swatch.Fill)
                _body.Append(Inv, $"<rect x=\"{F(lx)}\" y=\"{F(ly - 5)}\" width=\"18\" height=\"10\" fill=\"{item.Colour}\" fill-opacity=\"{F2(item.Opacity)}\"/>");
            else
                _body.Append(Inv, $"<line x1=\"{F(lx)}\" y1=\"{F(ly)}\" x2=\"{F(lx + 18)}\" y2=\"{F(ly)}\" stroke=\"{item.Colour}\" stroke-width=\"2\"{(item.Swatch == Swatch.Dashed ? " stroke-dasharray=\"5 3\"" : "")}/>");
            Text(lx + 23, ly + 4, item.Label, "legend", "start");
            _body.Append("</g>");
            lx += 23 + 6.6 * item.Label.Length + 18;
        }
        // Gridlines and their labels: each tick is a group of its line, at the value's pixel, and its label.
        _body.Append(Inv, $"<rect class=\"frame\" x=\"{F(Left)}\" y=\"{F(top)}\" width=\"{F(PlotWidth)}\" height=\"{F(height)}\" fill=\"#ffffff\" stroke=\"#999999\"/>");
        foreach (var (v, label) in x.Ticks(10))
        {
            var px = panel.Px(v);
            _body.Append(Inv, $"<g class=\"xtick\"><line x1=\"{F(px)}\" y1=\"{F(top)}\" x2=\"{F(px)}\" y2=\"{F(top + height)}\" stroke=\"#e4e4e4\"/>");
            Text(px, top + height + 14, label, "tick-label", "middle");
            _body.Append("</g>");
        }
        foreach (var (v, label) in yTicks ?? [.. y.Ticks(Math.Max(2, (int)(height / 40)))])
        {
            var py = panel.Py(v);
            _body.Append(Inv, $"<g class=\"ytick\"><line x1=\"{F(Left)}\" y1=\"{F(py)}\" x2=\"{F(Left + PlotWidth)}\" y2=\"{F(py)}\" stroke=\"#e4e4e4\"/>");
            Text(Left - 6, py + 4, label, "tick-label", "end");
            _body.Append("</g>");
        }
        _bottom = top + height + TickLabels + Gap;
        return panel;
    }

    /// <summary>A line of text below the last panel, e.g. the x axis's title or why there is nothing to plot.</summary>
    public void Caption(string text, string cssClass = "axis-title")
    {
        ClosePanel();
        Text(Left + PlotWidth / 2, _bottom + 6, text, cssClass, "middle");
        _bottom += 20;
    }

    /// <summary>The chart as one <c>&lt;svg&gt;</c> element, as tall as its panels and captions; call it once everything is drawn.</summary>
    public string ToSvg()
    {
        ClosePanel();
        var height = Math.Ceiling(_bottom + 4);
        return string.Create(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{Encode(_id)}\" class=\"{_class}\" width=\"{Width}\" height=\"{height}\" ")
            + string.Create(Inv, $"viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">")
            + $"<title>{Encode(_title)}</title>" + _body + "</svg>";
    }

    void ClosePanel()
    {
        if (_panelOpen) _body.Append("</g>");
        _panelOpen = false;
    }

    void Text(double x, double y, string text, string cssClass, string anchor, bool bold = false) =>
        _body.Append(Inv, $"<text class=\"{cssClass}\" x=\"{F(x)}\" y=\"{F(y)}\" text-anchor=\"{anchor}\"{(bold ? " font-weight=\"bold\"" : "")}>")
            .Append(Encode(text)).Append("</text>");

    internal static string Encode(string text) => WebUtility.HtmlEncode(text);
    static string F(double v) => v.ToString("0.#", Inv);
    static string F2(double v) => v.ToString("0.##", Inv);

    /// <summary>A plot area and its data-to-pixel mapping; coordinates beyond its ranges are clamped to its edges.</summary>
    public sealed class Panel
    {
        readonly StringBuilder _sb;
        readonly double _top, _height;
        readonly AxisRange _x, _y;

        internal Panel(StringBuilder sb, double top, double height, AxisRange x, AxisRange y) => (_sb, _top, _height, _x, _y) = (sb, top, height, x, y);

        /// <summary>x (data) → px: x_px = left + (x − x_min) / (x_max − x_min) · width.</summary>
        public double Px(double x) => Left + (Math.Clamp(x, _x.Min, _x.Max) - _x.Min) / (_x.Max - _x.Min) * PlotWidth;

        /// <summary>y (data) → px, upwards: y_px = top + height − (y − y_min) / (y_max − y_min) · height.</summary>
        public double Py(double y) => _top + _height - (Math.Clamp(y, _y.Min, _y.Max) - _y.Min) / (_y.Max - _y.Min) * _height;

        /// <summary>A full-height shaded span from x0 to x1 (at least 2 px wide, so a 1-cycle fault stays visible).</summary>
        public void Span(double x0, double x1, string cssClass, string fill, double opacity) => Rect(x0, x1, _y.Min, _y.Max, cssClass, fill, opacity);

        /// <summary>A box from (x0, y0) to (x1, y1) in data units (at least 2 px wide).</summary>
        public void Rect(double x0, double x1, double y0, double y1, string cssClass, string fill, double opacity)
        {
            var (a, b) = (Px(x0), Math.Max(Px(x1), Px(x0) + 2));
            var (top, bottom) = (Py(Math.Max(y0, y1)), Py(Math.Min(y0, y1)));
            _sb.Append(Inv, $"<rect class=\"{cssClass}\" x=\"{F(a)}\" y=\"{F(top)}\" width=\"{F(b - a)}\" height=\"{F(bottom - top)}\" fill=\"{fill}\"")
                .Append(opacity < 1 ? string.Create(Inv, $" fill-opacity=\"{F2(opacity)}\"/>") : "/>");
        }

        /// <summary>A horizontal line at y from x0 to x1 (the whole panel when null).</summary>
        public void HLine(double y, string cssClass, string stroke, string? dash, double? x0 = null, double? x1 = null) =>
            _sb.Append(Inv, $"<line class=\"{cssClass}\" x1=\"{F(Px(x0 ?? _x.Min))}\" y1=\"{F(Py(y))}\" x2=\"{F(Px(x1 ?? _x.Max))}\" y2=\"{F(Py(y))}\" stroke=\"{stroke}\" stroke-width=\"1.5\"{Dash(dash)}/>");

        /// <summary>A vertical line at x over the panel's height.</summary>
        public void VLine(double x, string cssClass, string stroke, string? dash) =>
            _sb.Append(Inv, $"<line class=\"{cssClass}\" x1=\"{F(Px(x))}\" y1=\"{F(_top)}\" x2=\"{F(Px(x))}\" y2=\"{F(_top + _height)}\" stroke=\"{stroke}\" stroke-width=\"1.5\"{Dash(dash)}/>");

        /// <summary>Vertical ticks from y0 to y1 at each x, one path; ticks closer than a pixel to the last one drawn are merged.</summary>
        public void Markers(IEnumerable<double> xs, double y0, double y1, string cssClass, string stroke)
        {
            var d = new StringBuilder();
            var last = double.NegativeInfinity;
            var (top, h) = (Py(Math.Max(y0, y1)), Math.Abs(Py(y0) - Py(y1)));
            foreach (var x in xs)
            {
                var px = Px(x);
                if (px - last < 1) continue;
                last = px;
                d.Append(Inv, $"M{F(px)} {F(top)}v{F(h)}");
            }
            if (d.Length > 0) _sb.Append(Inv, $"<path class=\"{cssClass}\" d=\"{d}\" stroke=\"{stroke}\" stroke-width=\"2\" fill=\"none\"/>");
        }

        /// <summary>
        /// A series: values[offset + k·stride] against x[k] for k &lt; count, as one polyline per run of finite values.
        /// A run longer than <see cref="MaxPoints"/> is cut into MaxPoints/2 buckets of which the minimum and maximum are
        /// kept, in time order, so a one-cycle spike survives the downsampling.
        /// </summary>
        public void Series(string name, string cssClass, string stroke, double[] x, double[] values, int offset, int stride, int count)
        {
            double V(int k) => values[offset + k * stride];
            var finite = 0;
            for (var k = 0; k < count; k++) finite += double.IsFinite(V(k)) ? 1 : 0;
            var start = -1;
            for (var k = 0; k <= count; k++)
            {
                var ok = k < count && double.IsFinite(V(k));
                if (ok && start < 0) start = k;
                if (ok || start < 0) continue;
                // The run's share of the point budget, so many short runs cannot add up past it.
                var budget = Math.Max(2, (int)((long)MaxPoints * (k - start) / Math.Max(1, finite)));
                Polyline(name, cssClass, stroke, x, V, start, k, budget);
                start = -1;
            }
        }

        void Polyline(string name, string cssClass, string stroke, double[] x, Func<int, double> v, int from, int to, int budget)
        {
            var points = new StringBuilder();
            void Point(int k) => points.Append(Inv, $"{F(Px(x[k]))},{F(Py(v(k)))} ");
            var n = to - from;
            if (n <= budget)
                for (var k = from; k < to; k++) Point(k);
            else
            {
                var buckets = budget / 2;
                for (var b = 0; b < buckets; b++)
                {
                    var (lo, hi) = (from + (int)((long)n * b / buckets), from + (int)((long)n * (b + 1) / buckets));
                    var (min, max) = (lo, lo);
                    for (var k = lo + 1; k < hi; k++)
                    {
                        if (v(k) < v(min)) min = k;
                        if (v(k) > v(max)) max = k;
                    }
                    Point(Math.Min(min, max));
                    if (max != min) Point(Math.Max(min, max));
                }
            }
            _sb.Append(Inv, $"<polyline class=\"{cssClass}\" data-name=\"{Encode(name)}\" points=\"{points.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\" stroke-linejoin=\"round\"/>");
        }

        static string Dash(string? dash) => dash is null ? "" : $" stroke-dasharray=\"{dash}\"";
    }
}
