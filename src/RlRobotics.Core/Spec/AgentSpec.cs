namespace RlRobotics.Core.Spec;

/// <summary>The on-robot agent: which controller runs and its parameters (validated by the controller's factory).</summary>
public sealed record AgentSpec
{
    /// <summary>Controller kind, e.g. <c>lqr</c>, <c>pd</c>, <c>hold</c>.</summary>
    public required string Controller { get; init; }
    /// <summary>The whole <c>agent:</c> mapping; each controller reads its own sub-section (<c>lqr:</c>, <c>pd:</c>, ...).</summary>
    public required ConfigNode Node { get; init; }
}
