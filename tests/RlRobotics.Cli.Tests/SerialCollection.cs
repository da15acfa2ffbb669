namespace RlRobotics.Cli.Tests;

/// <summary>
/// Tests that either load both cores for tens of seconds (model-based RL) or measure the wall clock (a real-time run)
/// run in this collection: after the parallel ones, one at a time, so neither disturbs the other on a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial: CPU-heavy or wall-clock";
}
