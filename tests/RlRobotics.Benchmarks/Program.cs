using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(RlRobotics.Benchmarks.LoopBenchmarks).Assembly).Run(args);
