using RlRobotics.Core.Expressions;

namespace RlRobotics.Core.Tests;

public class ExpressionTests
{
    // Names live in source 0 at their list index; next(name) lives in source 1 at the same index.
    private static readonly string[] Names =
    [
        "x", "y", "a", "b", "cart/position", "cart/velocity", "cart/effort",
        "pole/position", "pendulum/position", "pendulum/velocity", "pendulum/effort",
    ];

    private static readonly string[] Next = ["next"];

    private static Slot? Resolve(string name, string? modifier)
    {
        int i = Array.IndexOf(Names, name);
        if (i < 0) return null;
        return modifier switch { null => new Slot(0, i), "next" => new Slot(1, i), _ => null };
    }

    private static Expression Compile(string text) => Expression.Compile(text, Resolve, Names, Next);

    private static double[] State(params (string Name, double Value)[] values)
    {
        var s = new double[Names.Length];
        foreach (var (name, value) in values) s[Array.IndexOf(Names, name)] = value;
        return s;
    }

    private static double Eval(string text, double x = 0, double y = 0) =>
        Compile(text).Evaluate(State(("x", x), ("y", y)));

    private static ExpressionException Fails(string text) => Assert.Throws<ExpressionException>(() => Compile(text));

    [Theory]
    [InlineData("2^3^2", 512)]
    [InlineData("-2^2", -4)]
    [InlineData("(-2)^2", 4)]
    [InlineData("2^-1", 0.5)]
    [InlineData("1+2*3", 7)]
    [InlineData("(1+2)*3", 9)]
    [InlineData("10-4-3", 3)]
    [InlineData("8/4/2", 1)]
    [InlineData("7 % 4 * 2", 6)]
    [InlineData("-7 % 4", -3)]
    [InlineData("2*-3", -6)]
    [InlineData("--2", 2)]
    [InlineData("+3", 3)]
    [InlineData("!0", 1)]
    [InlineData("!5", 0)]
    [InlineData("!!5", 1)]
    [InlineData("1 < 2", 1)]
    [InlineData("2 <= 2", 1)]
    [InlineData("1 > 2", 0)]
    [InlineData("2 >= 3", 0)]
    [InlineData("2 == 2", 1)]
    [InlineData("2 != 2", 0)]
    [InlineData("1 + 1 == 2", 1)]
    [InlineData("1 < 2 == 1", 1)]
    [InlineData("2 && 3", 1)]
    [InlineData("2 && 0", 0)]
    [InlineData("0 || -1", 1)]
    [InlineData("0 || 0", 0)]
    [InlineData("1 || 0 && 0", 1)]
    [InlineData("1 < 2 && 3 < 4", 1)]
    [InlineData("1 ? 2 : 3", 2)]
    [InlineData("0 ? 2 : 3", 3)]
    [InlineData("0 ? 1 : 0 ? 2 : 3", 3)]
    [InlineData("1 ? 0 ? 4 : 5 : 6", 5)]
    [InlineData("0 || 1 ? 7 : 8", 7)]
    [InlineData("1e-3 * 1000", 1)]
    [InlineData(".5 + 0.5", 1)]
    [InlineData("2.5E2", 250)]
    [InlineData("pi", Math.PI)]
    [InlineData("e", Math.E)]
    [InlineData("  3 *\t( 2 )  ", 6)]
    public void PrecedenceAndAssociativity(string text, double expected)
    {
        var ex = Compile(text);
        Assert.True(ex.IsConstant);
        Assert.Equal(expected, ex.Evaluate([]), 12);
    }

    [Theory]
    [InlineData("-x^2", 3, -9)]
    [InlineData("x^3^2", 2, 512)]
    [InlineData("x^-2", 2, 0.25)]
    [InlineData("x^-1", 4, 0.25)]
    [InlineData("x^0", 7, 1)]
    [InlineData("x^4", 3, 81)]
    [InlineData("x^0.5", 9, 3)]
    [InlineData("x^y", 2, 1024)]
    [InlineData("x > 1 ? x : -x", -3, 3)]
    [InlineData("x - -x", 2, 4)]
    public void PrecedenceWithVariables(string text, double x, double expected) =>
        Assert.Equal(expected, Eval(text, x, y: 10), 12);

    [Theory]
    [InlineData("x^2", "s0[0] PowN(2)")]
    [InlineData("sq(x)", "s0[0] PowN(2)")]
    [InlineData("pow(x, 3)", "s0[0] PowN(3)")]
    [InlineData("x^-2", "s0[0] PowN(-2)")]
    [InlineData("x^2.5", "s0[0] 2.5 Pow")]
    [InlineData("x^5", "s0[0] 5 Pow")]
    [InlineData("2*3*x + (1 - 1)", "6 s0[0] Mul 0 Add")]
    public void SmallIntegerPowersUseMultiplicationAndConstantsFold(string text, string listing) =>
        Assert.Equal(listing, Compile(text).Listing);

    public static TheoryData<string, double, double> Functions()
    {
        var data = new TheoryData<string, double, double>();
        foreach (double v in new[] { -2.3, -0.5, 0, 0.4, 1.5, 2.5 })
        {
            data.Add("sin", v, Math.Sin(v));
            data.Add("cos", v, Math.Cos(v));
            data.Add("tan", v, Math.Tan(v));
            data.Add("asin", v, Math.Asin(v));
            data.Add("acos", v, Math.Acos(v));
            data.Add("atan", v, Math.Atan(v));
            data.Add("sinh", v, Math.Sinh(v));
            data.Add("cosh", v, Math.Cosh(v));
            data.Add("tanh", v, Math.Tanh(v));
            data.Add("exp", v, Math.Exp(v));
            data.Add("log", v, Math.Log(v));
            data.Add("sqrt", v, Math.Sqrt(v));
            data.Add("abs", v, Math.Abs(v));
            data.Add("sign", v, Math.Sign(v));
            data.Add("floor", v, Math.Floor(v));
            data.Add("ceil", v, Math.Ceiling(v));
            data.Add("round", v, Math.Round(v, MidpointRounding.AwayFromZero));
            data.Add("sq", v, v * v);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void UnaryFunctionsMatchMath(string function, double x, double expected)
    {
        var ex = Compile($"{function}(x)");
        double actual = ex.Evaluate(State(("x", x)));
        if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual));
        else Assert.Equal(expected, actual, 14);
        Assert.Equal(expected, Compile($"{function}({x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})").Evaluate([]), 14);
    }

    [Fact]
    public void MultiArgumentFunctionsMatchMath()
    {
        Assert.Equal(Math.Atan2(1.5, -2), Eval("atan2(x, y)", 1.5, -2), 14);
        Assert.Equal(Math.Pow(1.7, 2.3), Eval("pow(x, y)", 1.7, 2.3), 14);
        Assert.Equal(-2, Eval("min(x, y, 3, -2)", 1, 5));
        Assert.Equal(5, Eval("max(x, y, 3, -2)", 1, 5));
        Assert.Equal(1, Eval("min(x, y)", 1, 5));
        Assert.Equal(5, Eval("max(x, y)", 1, 5));
        Assert.Equal(0.5, Eval("clip(x, -0.5, 0.5)", 2));
        Assert.Equal(-0.5, Eval("clip(x, -0.5, 0.5)", -2));
        Assert.Equal(0.2, Eval("clip(x, -0.5, 0.5)", 0.2));
        Assert.True(double.IsNaN(Eval("sign(x)", double.NaN)));
    }

    [Theory]
    [InlineData(1.5 * Math.PI, -0.5 * Math.PI)]
    [InlineData(Math.PI, -Math.PI)]
    [InlineData(-Math.PI, -Math.PI)]
    [InlineData(0.3, 0.3)]
    [InlineData(-0.3, -0.3)]
    [InlineData(7 * Math.PI + 0.1, -Math.PI + 0.1)]
    [InlineData(-5 * Math.PI - 0.1, Math.PI - 0.1)]
    public void WrapIsHalfOpenAroundZero(double x, double expected)
    {
        double w = Eval("wrap(x)", x);
        Assert.Equal(expected, w, 12);
        Assert.InRange(w, -Math.PI, Math.PI - 1e-15);
    }

    [Fact]
    public void LongestKnownChainIsTheNameAndTheRestDivides()
    {
        var s = State(("cart/position", 3), ("a", 12), ("b", 4));
        Assert.Equal(3, Compile("cart/position").Evaluate(s));
        Assert.Equal(3, Compile("a/b").Evaluate(s));
        Assert.Equal(1.5, Compile("cart/position/2").Evaluate(s));
        Assert.Equal(0.25, Compile("cart/position/a").Evaluate(s));
        Assert.Equal(3, Compile("a / b").Evaluate(s));
        Assert.Equal([new Slot(0, Array.IndexOf(Names, "cart/position"))], Compile("cart/position/2").Uses);
        Assert.Equal([new Slot(0, 2), new Slot(0, 3)], Compile("a/b + a*b").Uses);
    }

    [Fact]
    public void SymbolsShadowConstants()
    {
        var ex = Expression.Compile("pi + e", (n, _) => n == "pi" ? new Slot(0, 0) : null);
        Assert.Equal(10 + Math.E, ex.Evaluate([10.0]));
        Assert.False(ex.IsConstant);
    }

    [Fact]
    public void ModifiersResolveThroughTheResolver()
    {
        var seen = new List<(string, string?)>();
        var ex = Expression.Compile("next(x) - x + next( cart/position )", (n, m) => { seen.Add((n, m)); return Resolve(n, m); }, Names, Next);
        Assert.Contains(("x", "next"), seen);
        Assert.Contains(("cart/position", "next"), seen);
        var now = State(("x", 1), ("cart/position", 100));
        var next = State(("x", 5), ("cart/position", 7));
        Assert.Equal(5 - 1 + 7, ex.Evaluate(now, next));
        Assert.Equal([new Slot(1, 0), new Slot(0, 0), new Slot(1, 4)], ex.Uses);
    }

    [Theory]
    [InlineData("next(1)", 6)]
    [InlineData("next(1+x)", 6)]
    [InlineData("next(x+1)", 6)]
    [InlineData("next(cart/position/2)", 6)]
    [InlineData("next(sin(x))", 6)]
    [InlineData("next()", 6)]
    public void ModifierTakesOnlyAName(string text, int column)
    {
        var e = Fails(text);
        Assert.Contains("next(...) takes a name", e.Message);
        Assert.Equal(column, e.Column);
    }

    [Fact]
    public void UnknownModifierLikeFunctionFails()
    {
        var e = Fails("prev(x)");
        Assert.Contains("unknown function 'prev'", e.Message);
        Assert.Null(e.Suggestion);
        Assert.Equal("next", Fails("nxt(x)").Suggestion);
        Assert.Throws<ExpressionException>(() => Expression.Compile("next(x)", Resolve, Names));
        Assert.Throws<ArgumentException>(() => Expression.Compile("x", Resolve, Names, ["abs"]));
    }

    [Theory]
    [InlineData("1 + cart/positon", 5, "unknown name 'cart/positon'", "cart/position")]
    [InlineData("z", 1, "unknown name 'z'", null)]
    [InlineData("next(cart/positon)", 6, "unknown name 'cart/positon' for next(...)", "cart/position")]
    [InlineData("(1 + 2", 7, "expected ')' to close '(' at column 1 but found end of expression", null)]
    [InlineData("((x)", 5, "expected ')' to close '(' at column 1", null)]
    [InlineData("1 + 2)", 6, "unmatched ')'", null)]
    [InlineData("1 2", 3, "expected an operator or end of expression but found '2'", null)]
    [InlineData("x y", 3, "expected an operator or end of expression but found 'y'", null)]
    [InlineData("x = 1", 3, "'=' is not an operator (use '==' to compare)", null)]
    [InlineData("x & y", 3, "use '&&'", null)]
    [InlineData("", 1, "expected an expression but found end of expression", null)]
    [InlineData("   ", 4, "expected an expression", null)]
    [InlineData("1 +", 4, "expected a number, name, function or '(' but found end of expression", null)]
    [InlineData("1 + * 2", 5, "found '*'", null)]
    [InlineData("x ? 1", 6, "expected ':' to complete '?' at column 3", null)]
    [InlineData("sin(1, 2)", 1, "sin takes 1 argument but got 2", null)]
    [InlineData("atan2(1)", 1, "atan2 takes 2 arguments but got 1", null)]
    [InlineData("2 * max(1)", 5, "max takes 2 or more arguments but got 1", null)]
    [InlineData("clip()", 1, "clip takes 3 arguments but got 0", null)]
    [InlineData("min(1 2)", 7, "expected ',' or ')' to close min(", null)]
    [InlineData("sine(x)", 1, "unknown function 'sine'", "sin")]
    [InlineData("foo(x)", 1, "unknown function 'foo'", null)]
    public void ErrorsNameTheColumn(string text, int column, string detail, string? suggestion)
    {
        var e = Fails(text);
        Assert.Equal(column, e.Column);
        Assert.Contains(detail, e.Message);
        Assert.Contains($"at column {column}", e.Message);
        Assert.Equal(suggestion, e.Suggestion);
        if (suggestion is not null) Assert.Contains($"did you mean {suggestion}?", e.Message);
    }

    [Fact]
    public void DeepNestingIsAnErrorNotACrash()
    {
        Assert.Equal(1, Compile(new string('(', 50) + "1" + new string(')', 50)).Evaluate([]));
        Assert.Throws<ExpressionException>(() => Compile(new string('(', 5000) + "1" + new string(')', 5000)));
        Assert.Throws<ExpressionException>(() => Compile(new string('-', 5000) + "1"));
    }

    [Fact]
    public void ExampleRewardAndCostTerms()
    {
        var s = State(("pendulum/position", 4.0), ("pendulum/velocity", 2.0), ("pendulum/effort", 10.0));
        double w = 4.0 - 2 * Math.PI;
        Assert.Equal(-(w * w + 0.1 * 4 + 0.001 * 100),
            Compile("-(wrap(pendulum/position)^2 + 0.1*pendulum/velocity^2 + 0.001*pendulum/effort^2)").Evaluate(s), 12);

        var barrier = Compile("abs(next(cart/position)) > 0.8");
        Assert.Equal(1, barrier.Evaluate(State(), State(("cart/position", -0.9))));
        Assert.Equal(0, barrier.Evaluate(State(("cart/position", 5)), State(("cart/position", 0.5))));

        s = State(("pole/position", Math.PI / 3), ("cart/effort", 4));
        Assert.Equal((1 - Math.Cos(Math.PI / 3)) / 2 - 0.001 * 16,
            Compile("(1 - cos(pole/position))/2 - 0.001*cart/effort^2").Evaluate(s), 12);

        var margin = Compile("0.8 - cart/position - max(cart/velocity, 0)^2 / (2*2.5)");
        Assert.Equal(0.8 - 0.2 - 1.0 / 5, margin.Evaluate(State(("cart/position", 0.2), ("cart/velocity", 1))), 12);
        Assert.Equal(0.8 - 0.2, margin.Evaluate(State(("cart/position", 0.2), ("cart/velocity", -1))), 12);
        Assert.Equal(2, margin.Uses.Count);
    }

    [Fact]
    public void ShortSpanIsAClearError()
    {
        var ex = Compile("next(y) + x");
        var e = Assert.Throws<ArgumentException>(() => ex.Evaluate(new double[Names.Length], new double[1]));
        Assert.Contains("element 1 of source 1", e.Message);
    }

    [Fact]
    public void StackDepthIsTracked()
    {
        Assert.Equal(1, Compile("x").MaxStack);
        Assert.Equal(2, Compile("x + y").MaxStack);
        Assert.Equal(3, Compile("x ? y : a").MaxStack);
        Assert.Equal(4, Compile("max(x, y, a, b)").MaxStack);
        Assert.Equal(3, Compile("x^(y^a)").MaxStack);
    }

    [Fact]
    public void EvaluateAllocatesNothing()
    {
        var ex = Compile("-(wrap(pendulum/position)^2 + 0.1*pendulum/velocity^2) + max(x, y, a) * (next(x) > 0.8 ? 1 : clip(b, -1, 1)) + x^2.5");
        var now = State(("pendulum/position", 3), ("pendulum/velocity", 2), ("x", 1.5), ("y", 2), ("a", 0.1), ("b", 4));
        var next = State(("x", 0.9));
        double sum = ex.Evaluate(now, next); // warm-up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) sum += ex.Evaluate(now, next);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
        Assert.True(double.IsFinite(sum));
    }
}
