namespace RlRobotics.Core.Expressions;

/// <summary>
/// Where a name's value lives at evaluation time: element <paramref name="Index"/> of input span
/// <paramref name="Source"/> (0, 1 or 2 — the spans passed to <see cref="Expression.Evaluate"/>).
/// Resolving names to slots once at compile time is what lets evaluation skip all lookups.
/// </summary>
/// <param name="Source">Which input span, 0..<see cref="Expression.MaxSources"/> − 1.</param>
/// <param name="Index">Element index within that span, ≥ 0.</param>
public readonly record struct Slot(int Source, int Index);
