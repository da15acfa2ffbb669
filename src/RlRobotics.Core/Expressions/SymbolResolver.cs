namespace RlRobotics.Core.Expressions;

/// <summary>
/// Maps a name used in an expression (e.g. <c>cart/position</c>) to where its value lives.
/// Called only while compiling. <paramref name="modifier"/> is null for a plain name, or the
/// modifier it is wrapped in (e.g. <c>"next"</c> for <c>next(cart/position)</c>), so one name can
/// map to different slots (current vs. next state). Return null for an unknown name; the parser then
/// tries a shorter '/'-joined prefix (reading the rest as division) before reporting an error.
/// </summary>
public delegate Slot? SymbolResolver(string name, string? modifier);
