using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;

namespace RlRobotics.Control.Controllers;

/// <summary>
/// Commands each actuated joint's declared safe behaviour: zero effort, zero velocity, or its position at the moment
/// the controller started. The MPC's <c>stop</c> fallback.
/// </summary>
public sealed class SafeStopController : IController
{
    private readonly (int Command, int Position, InterfaceKind Mode, string Name)[] _channels;
    private readonly double[] _held;

    public SafeStopController(RobotSpec robot, IReadOnlyList<string> commands)
    {
        _channels = commands.Select(c =>
        {
            var (joint, kind) = InterfaceName.Split(c);
            return (-1, -1, kind, joint);
        }).ToArray();
        _held = new double[_channels.Length];
        ClaimedCommands = commands;
    }

    public string Kind => "stop";

    public IReadOnlyList<string> ClaimedCommands { get; }

    public void Bind(StateFrame state, CommandFrame command)
    {
        for (var i = 0; i < _channels.Length; i++)
        {
            ref var c = ref _channels[i];
            c.Command = command.Require(InterfaceName.Of(c.Name, c.Mode));
            c.Position = state.IndexOf(InterfaceName.Of(c.Name, InterfaceKind.Position));
        }
    }

    public void Start(StateFrame state)
    {
        for (var i = 0; i < _channels.Length; i++) _held[i] = _channels[i].Position >= 0 ? state.Values[_channels[i].Position] : 0;
    }

    public void Update(StateFrame state, CommandFrame command, in CycleTime time)
    {
        for (var i = 0; i < _channels.Length; i++)
            command.Values[_channels[i].Command] = _channels[i].Mode == InterfaceKind.Position ? _held[i] : 0;
    }
}
