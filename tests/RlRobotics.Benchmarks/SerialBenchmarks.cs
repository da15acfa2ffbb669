using BenchmarkDotNet.Attributes;
using RlRobotics.Cli.Bench;
using RlRobotics.Serial.Dynamixel;

namespace RlRobotics.Benchmarks;

/// <summary>One control cycle on a 6-servo Dynamixel bus (sync read + sync write) over a pseudo-terminal.</summary>
[MemoryDiagnoser]
public class SerialBenchmarks
{
    private SerialRoundTrip? _rig;

    [Params(ReadMethod.Sync, ReadMethod.FastSync)]
    public ReadMethod Read { get; set; }

    [GlobalSetup]
    public void Setup() => _rig = new SerialRoundTrip(6, Read);

    [GlobalCleanup]
    public void Cleanup() => _rig?.Dispose();

    [Benchmark]
    public bool SyncReadAndWriteSixServos() => _rig!.Cycle();
}
