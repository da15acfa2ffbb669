namespace RlRobotics.Core.Expressions;

/// <summary>
/// One postfix instruction. <paramref name="Arg"/> is the element index for loads, the exponent for
/// <see cref="OpCode.PowN"/> and the operand count for min/max; <paramref name="Value"/> is the constant.
/// </summary>
internal readonly record struct Instruction(OpCode Op, int Arg = 0, double Value = 0)
{
    public override string ToString() => Op switch
    {
        OpCode.Const => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        OpCode.Load0 or OpCode.Load1 or OpCode.Load2 => $"s{Op - OpCode.Load0}[{Arg}]",
        OpCode.PowN or OpCode.Min or OpCode.Max => $"{Op}({Arg})",
        _ => Op.ToString(),
    };
}
