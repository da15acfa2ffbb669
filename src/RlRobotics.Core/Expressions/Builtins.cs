namespace RlRobotics.Core.Expressions;

/// <summary>The built-in functions: name → opcode and allowed argument counts (<c>MaxArgs</c> = int.MaxValue for variadic).</summary>
internal static class Builtins
{
    public static readonly IReadOnlyDictionary<string, (OpCode Op, int MinArgs, int MaxArgs)> Functions =
        new Dictionary<string, (OpCode, int, int)>(StringComparer.Ordinal)
        {
            ["sin"] = (OpCode.Sin, 1, 1), ["cos"] = (OpCode.Cos, 1, 1), ["tan"] = (OpCode.Tan, 1, 1),
            ["asin"] = (OpCode.Asin, 1, 1), ["acos"] = (OpCode.Acos, 1, 1), ["atan"] = (OpCode.Atan, 1, 1),
            ["atan2"] = (OpCode.Atan2, 2, 2), ["sinh"] = (OpCode.Sinh, 1, 1), ["cosh"] = (OpCode.Cosh, 1, 1),
            ["tanh"] = (OpCode.Tanh, 1, 1), ["exp"] = (OpCode.Exp, 1, 1), ["log"] = (OpCode.Log, 1, 1),
            ["sqrt"] = (OpCode.Sqrt, 1, 1), ["abs"] = (OpCode.Abs, 1, 1), ["sign"] = (OpCode.Sign, 1, 1),
            ["floor"] = (OpCode.Floor, 1, 1), ["ceil"] = (OpCode.Ceil, 1, 1), ["round"] = (OpCode.Round, 1, 1),
            ["min"] = (OpCode.Min, 2, int.MaxValue), ["max"] = (OpCode.Max, 2, int.MaxValue),
            ["clip"] = (OpCode.Clip, 3, 3), ["wrap"] = (OpCode.Wrap, 1, 1),
            ["pow"] = (OpCode.Pow, 2, 2), ["sq"] = (OpCode.PowN, 1, 1),
        };

    /// <summary>Names that stand for constants unless the resolver defines them.</summary>
    public static readonly IReadOnlyDictionary<string, double> Constants =
        new Dictionary<string, double>(StringComparer.Ordinal) { ["pi"] = Math.PI, ["e"] = Math.E };
}
