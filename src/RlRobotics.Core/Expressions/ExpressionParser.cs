using System.Globalization;

namespace RlRobotics.Core.Expressions;

/// <summary>
/// Recursive-descent parser that emits postfix <see cref="Instruction"/>s directly, folding constant
/// operands as it goes and turning small integer powers into multiplications.
/// Grammar (low → high): ternary, ||, &amp;&amp;, comparisons, + -, * / %, unary - + !, ^, primary.
/// </summary>
internal sealed class ExpressionParser
{
    private const int MaxDepth = 256; // recursion guard; each parenthesis level costs 2

    private readonly string _text;
    private readonly SymbolResolver _resolver;
    private readonly IReadOnlyCollection<string>? _knownNames;
    private readonly IReadOnlyCollection<string> _modifiers;
    private readonly List<Instruction> _code = [];
    private int _pos;
    private int _depth;

    private ExpressionParser(string text, SymbolResolver resolver, IReadOnlyCollection<string>? knownNames, IReadOnlyCollection<string> modifiers)
    {
        _text = text;
        _resolver = resolver;
        _knownNames = knownNames;
        _modifiers = modifiers;
    }

    public static Instruction[] Parse(string text, SymbolResolver resolver, IReadOnlyCollection<string>? knownNames, IReadOnlyCollection<string> modifiers)
    {
        var p = new ExpressionParser(text, resolver, knownNames, modifiers);
        p.SkipWs();
        if (p._pos == text.Length) throw p.Error(p._pos, "expected an expression but found end of expression");
        p.ParseTernary();
        p.SkipWs();
        if (p._pos < text.Length) throw p.Unexpected("an operator or end of expression");
        return [.. p._code];
    }

    private void ParseTernary()
    {
        if (++_depth > MaxDepth) throw Error(_pos, "expression nested too deeply");
        ParseOr();
        if (Accept("?"))
        {
            int q = _pos;
            ParseTernary();
            Expect(':', $"':' to complete '?' at column {q}");
            ParseTernary();
            Emit(OpCode.Select);
        }
        _depth--;
    }

    private void ParseOr()
    {
        ParseAnd();
        while (Accept("||")) { ParseAnd(); Emit(OpCode.Or); }
    }

    private void ParseAnd()
    {
        ParseComparison();
        while (Accept("&&")) { ParseComparison(); Emit(OpCode.And); }
    }

    private void ParseComparison()
    {
        ParseAdditive();
        while (true)
        {
            OpCode op;
            if (Accept("<=")) op = OpCode.Le;
            else if (Accept(">=")) op = OpCode.Ge;
            else if (Accept("==")) op = OpCode.Eq;
            else if (Accept("!=")) op = OpCode.Ne;
            else if (Accept("<")) op = OpCode.Lt;
            else if (Accept(">")) op = OpCode.Gt;
            else return;
            ParseAdditive();
            Emit(op);
        }
    }

    private void ParseAdditive()
    {
        ParseMultiplicative();
        while (true)
        {
            if (Accept("+")) { ParseMultiplicative(); Emit(OpCode.Add); }
            else if (Accept("-")) { ParseMultiplicative(); Emit(OpCode.Sub); }
            else return;
        }
    }

    private void ParseMultiplicative()
    {
        ParseUnary();
        while (true)
        {
            if (Accept("*")) { ParseUnary(); Emit(OpCode.Mul); }
            else if (Accept("/")) { ParseUnary(); Emit(OpCode.Div); }
            else if (Accept("%")) { ParseUnary(); Emit(OpCode.Mod); }
            else return;
        }
    }

    private void ParseUnary()
    {
        if (++_depth > MaxDepth) throw Error(_pos, "expression nested too deeply");
        SkipWs();
        if (Accept("-")) { ParseUnary(); Emit(OpCode.Neg); }
        else if (Accept("+")) ParseUnary();
        else if (Peek(0) == '!' && Peek(1) != '=') { _pos++; ParseUnary(); Emit(OpCode.Not); }
        else
        {
            ParsePrimary();
            if (Accept("^")) { ParseUnary(); Emit(OpCode.Pow); } // right side unary: 2^-1, and 2^3^2 = 2^(3^2)
        }
        _depth--;
    }

    private void ParsePrimary()
    {
        SkipWs();
        int start = _pos;
        char c = Peek(0);
        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1)))) ParseNumber();
        else if (c == '(')
        {
            _pos++;
            ParseTernary();
            Expect(')', $"')' to close '(' at column {start + 1}");
        }
        else if (IsNameStart(c)) ParseIdentifier();
        else throw Error(start, $"expected a number, name, function or '(' but found {Found(start)}");
    }

    private void ParseNumber()
    {
        int start = _pos;
        while (char.IsAsciiDigit(Peek(0))) _pos++;
        if (Peek(0) == '.') { _pos++; while (char.IsAsciiDigit(Peek(0))) _pos++; }
        if (Peek(0) is 'e' or 'E')
        {
            int sign = Peek(1) is '+' or '-' ? 1 : 0;
            if (char.IsAsciiDigit(Peek(1 + sign)))
            {
                _pos += 1 + sign;
                while (char.IsAsciiDigit(Peek(0))) _pos++;
            }
        }
        double v = double.Parse(_text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        _code.Add(new Instruction(OpCode.Const, Value: v));
    }

    private void ParseIdentifier()
    {
        int start = _pos;
        while (IsNameChar(Peek(0))) _pos++;
        string word = _text[start.._pos];
        SkipWs();
        if (Peek(0) == '(') ParseCall(word, start);
        else ParseName(start, null);
    }

    /// <summary>Reads the longest '/'-joined chain of segments starting at <paramref name="start"/> that the resolver knows.</summary>
    private void ParseName(int start, string? modifier)
    {
        var ends = ChainEnds(start);
        for (int i = ends.Count - 1; i >= 0; i--)
        {
            string name = _text[start..ends[i]];
            if (_resolver(name, modifier) is { } slot)
            {
                if (slot.Source is < 0 or >= Expression.MaxSources || slot.Index < 0)
                    throw new InvalidOperationException($"Resolver mapped '{name}' to {slot}; sources are 0..{Expression.MaxSources - 1} and indices ≥ 0.");
                _pos = ends[i];
                _code.Add(new Instruction(OpCode.Load0 + slot.Source, slot.Index));
                return;
            }
            if (i == 0 && modifier is null && Builtins.Constants.TryGetValue(name, out double constant))
            {
                _pos = ends[i];
                _code.Add(new Instruction(OpCode.Const, Value: constant));
                return;
            }
        }
        string full = _text[start..ends[^1]];
        string what = modifier is null ? $"unknown name '{full}'" : $"unknown name '{full}' for {modifier}(...)";
        throw Error(start, what, NameSuggester.Suggest(full, _knownNames));
    }

    /// <summary>End positions of each '/'-joined prefix of the name at <paramref name="start"/>: "a/b/c" → ends of a, a/b, a/b/c.</summary>
    private List<int> ChainEnds(int start)
    {
        var ends = new List<int>();
        int p = start;
        while (p < _text.Length && IsNameChar(_text[p])) p++;
        ends.Add(p);
        while (p + 1 < _text.Length && _text[p] == '/' && IsNameChar(_text[p + 1]))
        {
            p++;
            while (p < _text.Length && IsNameChar(_text[p])) p++;
            ends.Add(p);
        }
        return ends;
    }

    private void ParseCall(string name, int start)
    {
        _pos++; // '('
        if (_modifiers.Contains(name))
        {
            SkipWs();
            int arg = _pos;
            if (!IsNameStart(Peek(0)) || !ClosesAfter(ChainEnds(arg)[^1])) throw Error(arg, $"{name}(...) takes a name");
            ParseName(arg, name);
            if (!ClosesAfter(_pos)) throw Error(arg, $"{name}(...) takes a name");
            SkipWs();
            _pos++; // ')'
            return;
        }
        if (!Builtins.Functions.TryGetValue(name, out var f))
            throw Error(start, $"unknown function '{name}'", NameSuggester.Suggest(name, [.. Builtins.Functions.Keys, .. _modifiers]));
        int count = 0;
        SkipWs();
        if (Peek(0) != ')')
        {
            do { ParseTernary(); count++; } while (Accept(","));
        }
        Expect(')', count == 0 ? $"an argument or ')' for {name}" : $"',' or ')' to close {name}(");
        if (count < f.MinArgs || count > f.MaxArgs)
        {
            string want = f.MaxArgs == int.MaxValue ? $"{f.MinArgs} or more arguments"
                : f.MinArgs == 1 ? "1 argument" : $"{f.MinArgs} arguments";
            throw Error(start, $"{name} takes {want} but got {count}");
        }
        Emit(f.Op, f.Op == OpCode.PowN ? 2 : f.Op is OpCode.Min or OpCode.Max ? count : 0);
    }

    private bool ClosesAfter(int p)
    {
        while (p < _text.Length && char.IsWhiteSpace(_text[p])) p++;
        return p < _text.Length && _text[p] == ')';
    }

    /// <summary>Appends an operator, folding it if all its operands are constants and using multiplications for small integer powers.</summary>
    private void Emit(OpCode op, int arg = 0)
    {
        int pops = Interpreter.Pops(op, arg);
        int n = _code.Count;
        bool allConst = true;
        for (int i = n - pops; i < n; i++) allConst &= _code[i].Op == OpCode.Const;
        if (allConst)
        {
            var tail = new Instruction[pops + 1]; // compile time: heap is fine, and min/max may have many arguments
            _code.CopyTo(n - pops, tail, 0, pops);
            tail[pops] = new Instruction(op, arg);
            double v = Interpreter.Run(tail, new double[pops], default, default, default);
            _code.RemoveRange(n - pops, pops);
            _code.Add(new Instruction(OpCode.Const, Value: v));
        }
        else if (op == OpCode.Pow && _code[^1] is { Op: OpCode.Const, Value: var exponent }
                 && exponent == Math.Round(exponent) && exponent is >= -2 and <= 4)
        {
            _code[^1] = new Instruction(OpCode.PowN, (int)exponent);
        }
        else _code.Add(new Instruction(op, arg));
    }

    private bool Accept(string token)
    {
        SkipWs();
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0) return false;
        _pos += token.Length;
        return true;
    }

    private void Expect(char c, string what)
    {
        SkipWs();
        if (Peek(0) == c) { _pos++; return; }
        throw Unexpected(what);
    }

    private ExpressionException Unexpected(string expected)
    {
        string hint = Peek(0) switch
        {
            ')' when _depth == 0 => "unmatched ')'",
            '=' => "'=' is not an operator (use '==' to compare)",
            '&' => "'&' is not an operator (use '&&')",
            '|' => "'|' is not an operator (use '||')",
            _ => $"expected {expected} but found {Found(_pos)}",
        };
        return Error(_pos, hint);
    }

    private ExpressionException Error(int pos, string detail, string? suggestion = null) =>
        new(detail, _text, pos + 1, suggestion);

    private string Found(int pos)
    {
        if (pos >= _text.Length) return "end of expression";
        int end = pos;
        while (end < _text.Length && (IsNameChar(_text[end]) || _text[end] is '/' or '.')) end++;
        return end == pos ? $"'{_text[pos]}'" : $"'{_text[pos..end]}'";
    }

    private void SkipWs()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private char Peek(int ahead) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
