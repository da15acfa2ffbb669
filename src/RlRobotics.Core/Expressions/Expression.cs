using System.Runtime.CompilerServices;

namespace RlRobotics.Core.Expressions;

/// <summary>
/// An arithmetic expression over robot state (reward, cost, observation and barrier terms in robot files),
/// compiled once to postfix code and then evaluated every control step without allocating.
/// </summary>
/// <remarks>
/// <para>Names such as <c>cart/position</c> are resolved to <see cref="Slot"/>s at compile time. Because '/' also
/// divides, the longest '/'-joined chain the resolver knows is taken as the name (<c>cart/position/2</c> is that
/// name divided by 2); spaces always end a name, so write <c>a / b</c> for division when in doubt.
/// <c>pi</c> and <c>e</c> are constants unless the resolver defines a symbol of that name (symbols win).</para>
/// <para>Precedence, low → high: <c>c ? a : b</c> (right-assoc), <c>||</c>, <c>&amp;&amp;</c>,
/// <c>&lt; &lt;= &gt; &gt;= == !=</c>, <c>+ -</c>, <c>* / %</c>, unary <c>- + !</c>, <c>^</c> (right-assoc;
/// <c>-x^2</c> is −(x²)). Nonzero (NaN included) is true; logic and comparison operators yield exactly 1 or 0.
/// Both branches of <c>?:</c>, <c>&amp;&amp;</c> and <c>||</c> are always evaluated (no short-circuit), so keep
/// them free of domain errors or accept a NaN in the unused branch. <c>%</c> is the IEEE remainder with the sign
/// of the dividend (C# <c>%</c>).</para>
/// <para>Functions: sin cos tan asin acos atan atan2(y,x) sinh cosh tanh exp log sqrt abs sign floor ceil
/// round (half away from zero) min/max (2 or more arguments) clip(x,lo,hi) wrap(x) (angle to [−π, π)) pow(a,b)
/// sq(x). None throws: domain errors give NaN, sign(NaN) is NaN, clip with lo &gt; hi returns hi.
/// Modifiers (caller-chosen, e.g. <c>next(cart/position)</c>) take a bare name and pass the modifier to the resolver.</para>
/// <para>Constant subtrees are folded at compile time; <c>x^n</c> with a constant integer n in −2..4 compiles to
/// multiplications.</para>
/// </remarks>
public sealed class Expression
{
    /// <summary>How many input spans <see cref="Evaluate"/> takes; <see cref="Slot.Source"/> must be below this.</summary>
    public const int MaxSources = 3;

    /// <summary>Upper bound on <see cref="MaxStack"/>, keeping the evaluation stack (stackalloc) small.</summary>
    public const int MaxStackLimit = 1024;

    private readonly Instruction[] _code;
    private readonly int _need0, _need1, _need2;

    private Expression(string text, Instruction[] code)
    {
        Text = text;
        _code = code;
        var uses = new List<Slot>();
        int depth = 0, max = 0;
        foreach (var ins in code)
        {
            depth += 1 - Interpreter.Pops(ins.Op, ins.Arg);
            max = Math.Max(max, depth);
            if (ins.Op is not (OpCode.Load0 or OpCode.Load1 or OpCode.Load2)) continue;
            var slot = new Slot(ins.Op - OpCode.Load0, ins.Arg);
            if (!uses.Contains(slot)) uses.Add(slot);
            ref int need = ref slot.Source == 0 ? ref _need0 : ref slot.Source == 1 ? ref _need1 : ref _need2;
            need = Math.Max(need, slot.Index + 1);
        }
        if (max > MaxStackLimit)
            throw new ExpressionException($"expression needs a stack of {max} values (limit {MaxStackLimit})", text, 1);
        MaxStack = max;
        Uses = uses.AsReadOnly();
    }

    /// <summary>Compiles <paramref name="text"/>, resolving every name through <paramref name="resolver"/> once.</summary>
    /// <param name="text">The expression source.</param>
    /// <param name="resolver">Maps names (and modifier-wrapped names) to slots; null means unknown.</param>
    /// <param name="knownNames">Names offered as "did you mean" suggestions in errors; optional.</param>
    /// <param name="modifiers">Allowed modifier names such as "next"; they may not collide with built-in functions.</param>
    /// <exception cref="ExpressionException">The text does not compile; the message gives the column.</exception>
    public static Expression Compile(string text, SymbolResolver resolver,
        IReadOnlyCollection<string>? knownNames = null, IReadOnlyCollection<string>? modifiers = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(resolver);
        modifiers ??= [];
        foreach (var m in modifiers)
            if (Builtins.Functions.ContainsKey(m))
                throw new ArgumentException($"Modifier '{m}' collides with the built-in function of that name.", nameof(modifiers));
        return new Expression(text, ExpressionParser.Parse(text, resolver, knownNames, modifiers));
    }

    /// <summary>The source text, as given.</summary>
    public string Text { get; }

    /// <summary>The distinct slots the expression reads, in order of first use (e.g. to check a term only reads observed state).</summary>
    public IReadOnlyList<Slot> Uses { get; }

    /// <summary>True when the whole expression folded to one constant (it reads no slots).</summary>
    public bool IsConstant => _code is [{ Op: OpCode.Const }];

    /// <summary>Deepest evaluation stack needed, in values.</summary>
    public int MaxStack { get; }

    /// <summary>
    /// Evaluates the expression over the input spans (source 0, 1, 2 of each <see cref="Slot"/>). Allocates nothing.
    /// Span lengths are checked once per call against the largest index each source is read at, so a too-short span
    /// throws <see cref="ArgumentException"/> naming the slot; otherwise nothing throws (math errors give NaN/∞).
    /// Thread-safe: a compiled expression is immutable.
    /// </summary>
    [SkipLocalsInit]
    public double Evaluate(ReadOnlySpan<double> s0, ReadOnlySpan<double> s1 = default, ReadOnlySpan<double> s2 = default)
    {
        if (s0.Length < _need0 || s1.Length < _need1 || s2.Length < _need2) ThrowTooShort(s0.Length, s1.Length, s2.Length);
        Span<double> stack = stackalloc double[MaxStack];
        return Interpreter.Run(_code, stack, s0, s1, s2);
    }

    /// <summary>The compiled postfix code, e.g. "s0[0] PowN(2) 0.5 Mul", for tests and diagnostics.</summary>
    internal string Listing => string.Join(" ", _code);

    /// <inheritdoc />
    public override string ToString() => Text;

    private void ThrowTooShort(int n0, int n1, int n2)
    {
        var (source, need, have) = n0 < _need0 ? (0, _need0, n0) : n1 < _need1 ? (1, _need1, n1) : (2, _need2, n2);
        throw new ArgumentException(
            $"Expression \"{Text}\" reads element {need - 1} of source {source}, but that span has {have} elements.");
    }
}
