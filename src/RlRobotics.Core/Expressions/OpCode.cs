namespace RlRobotics.Core.Expressions;

/// <summary>Postfix instructions of a compiled <see cref="Expression"/>; each pops its operands and pushes one result.</summary>
internal enum OpCode
{
    Const, Load0, Load1, Load2,
    Neg, Not, Add, Sub, Mul, Div, Mod, Pow, PowN,
    Lt, Le, Gt, Ge, Eq, Ne, And, Or, Select,
    Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Tanh,
    Exp, Log, Sqrt, Abs, Sign, Floor, Ceil, Round, Min, Max, Clip, Wrap,
}
