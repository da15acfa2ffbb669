namespace RlRobotics.Core.Expressions;

/// <summary>Runs postfix code on a caller-provided stack; shared by evaluation and constant folding so both agree exactly.</summary>
internal static class Interpreter
{
    /// <summary>How many operands <paramref name="op"/> pops (it always pushes one).</summary>
    public static int Pops(OpCode op, int arg) => op switch
    {
        OpCode.Const or OpCode.Load0 or OpCode.Load1 or OpCode.Load2 => 0,
        OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div or OpCode.Mod or OpCode.Pow or OpCode.Atan2
            or OpCode.Lt or OpCode.Le or OpCode.Gt or OpCode.Ge or OpCode.Eq or OpCode.Ne or OpCode.And or OpCode.Or => 2,
        OpCode.Select or OpCode.Clip => 3,
        OpCode.Min or OpCode.Max => arg,
        _ => 1,
    };

    public static double Run(ReadOnlySpan<Instruction> code, Span<double> st,
        ReadOnlySpan<double> s0, ReadOnlySpan<double> s1, ReadOnlySpan<double> s2)
    {
        int sp = 0;
        for (int i = 0; i < code.Length; i++)
        {
            ref readonly var ins = ref code[i];
            switch (ins.Op)
            {
                case OpCode.Const: st[sp++] = ins.Value; break;
                case OpCode.Load0: st[sp++] = s0[ins.Arg]; break;
                case OpCode.Load1: st[sp++] = s1[ins.Arg]; break;
                case OpCode.Load2: st[sp++] = s2[ins.Arg]; break;
                case OpCode.Select: sp -= 2; st[sp - 1] = st[sp - 1] != 0 ? st[sp] : st[sp + 1]; break;
                case OpCode.Clip: sp -= 2; st[sp - 1] = Math.Min(Math.Max(st[sp - 1], st[sp]), st[sp + 1]); break;
                case OpCode.Min or OpCode.Max:
                {
                    sp -= ins.Arg - 1;
                    double m = st[sp - 1];
                    for (int k = 0; k < ins.Arg - 1; k++) m = ins.Op == OpCode.Min ? Math.Min(m, st[sp + k]) : Math.Max(m, st[sp + k]);
                    st[sp - 1] = m;
                    break;
                }
                case OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div or OpCode.Mod or OpCode.Pow or OpCode.Atan2
                    or OpCode.Lt or OpCode.Le or OpCode.Gt or OpCode.Ge or OpCode.Eq or OpCode.Ne or OpCode.And or OpCode.Or:
                    sp--;
                    st[sp - 1] = Binary(ins.Op, st[sp - 1], st[sp]);
                    break;
                default: st[sp - 1] = Unary(ins.Op, ins.Arg, st[sp - 1]); break;
            }
        }
        return st[0];
    }

    private static double Binary(OpCode op, double a, double b) => op switch
    {
        OpCode.Add => a + b,
        OpCode.Sub => a - b,
        OpCode.Mul => a * b,
        OpCode.Div => a / b,
        OpCode.Mod => a % b,
        OpCode.Pow => Math.Pow(a, b),
        OpCode.Atan2 => Math.Atan2(a, b),
        OpCode.Lt => a < b ? 1 : 0,
        OpCode.Le => a <= b ? 1 : 0,
        OpCode.Gt => a > b ? 1 : 0,
        OpCode.Ge => a >= b ? 1 : 0,
        OpCode.Eq => a == b ? 1 : 0,
        OpCode.Ne => a != b ? 1 : 0,
        OpCode.And => a != 0 && b != 0 ? 1 : 0,
        _ => a != 0 || b != 0 ? 1 : 0, // Or
    };

    private static double Unary(OpCode op, int arg, double x) => op switch
    {
        OpCode.Neg => -x,
        OpCode.Not => x == 0 ? 1 : 0,
        OpCode.PowN => arg switch
        {
            0 => 1,
            1 => x,
            2 => x * x,
            3 => x * x * x,
            4 => x * x * (x * x),
            -1 => 1 / x,
            _ => 1 / (x * x), // -2
        },
        OpCode.Sin => Math.Sin(x),
        OpCode.Cos => Math.Cos(x),
        OpCode.Tan => Math.Tan(x),
        OpCode.Asin => Math.Asin(x),
        OpCode.Acos => Math.Acos(x),
        OpCode.Atan => Math.Atan(x),
        OpCode.Sinh => Math.Sinh(x),
        OpCode.Cosh => Math.Cosh(x),
        OpCode.Tanh => Math.Tanh(x),
        OpCode.Exp => Math.Exp(x),
        OpCode.Log => Math.Log(x),
        OpCode.Sqrt => Math.Sqrt(x),
        OpCode.Abs => Math.Abs(x),
        OpCode.Sign => x > 0 ? 1 : x < 0 ? -1 : x, // Math.Sign throws on NaN; this keeps NaN (and ±0)
        OpCode.Floor => Math.Floor(x),
        OpCode.Ceil => Math.Ceiling(x),
        OpCode.Round => Math.Round(x, MidpointRounding.AwayFromZero),
        _ => Wrap(x), // Wrap
    };

    /// <summary>Angle wrapped to [−π, π) (the same wrap the controllers use).</summary>
    public static double Wrap(double x) => Dynamics.Angles.Wrap(x);
}
