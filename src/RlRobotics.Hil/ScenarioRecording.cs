using RlRobotics.Hil.Faults;
using RlRobotics.Hil.Scenarios;

namespace RlRobotics.Hil;

/// <summary>The scenario that ran and every cycle it recorded: what the HTML report plots.</summary>
public sealed record ScenarioRecording(Scenario Scenario, RunRecorder Run);
