using RlRobotics.Control;
using RlRobotics.Core.Control;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;
using RlRobotics.Hal.Components;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using RlRobotics.Sim;
using RlRobotics.Sim.Components;
using RlRobotics.Sim.Serial;
using RlRobotics.Serial;
using RlRobotics.Serial.Dynamixel;
using RlRobotics.Ros2;
using RlRobotics.Ros2.Hal;
using RlRobotics.Sim.Models;
using RlRobotics.Cli.Training;
using RlRobotics.Control.Controllers;
using RlRobotics.Learning.Envs;
using RlRobotics.Learning.Policies;
using RlRobotics.Learning.Safety;
using RlRobotics.Mqtt.Fleet;

namespace RlRobotics.Cli.Node;

/// <summary>What to build a node from; everything but the spec has a default.</summary>
public sealed record NodeOptions
{
    public required RobotSpec Robot { get; init; }
    /// <summary>Controller kind; null takes the YAML's <c>agent.controller</c>.</summary>
    public string? Controller { get; init; }
    public IClock Clock { get; init; } = new SimulatedClock();
    public int Seed { get; init; }
    public double[]? InitialState { get; init; }
    /// <summary>Run length, s of loop-clock time; null runs until stopped.</summary>
    public double? Duration_s { get; init; }
    /// <summary>Apply the YAML's real-time requests (on for the wall clock).</summary>
    public bool ApplyRealtime { get; init; }
    /// <summary>The agent's dynamics model instead of <c>agent.model</c> or the simulator's (a learned model).</summary>
    public IDynamicsModel? Model { get; init; }
    /// <summary>A ready controller instead of one built from the robot file (exploration during training).</summary>
    public IController? ControllerInstance { get; init; }
    /// <summary>Planner for <c>mpc-learned</c> instead of <c>agent.learned.planner</c>.</summary>
    public string? Planner { get; init; }
    /// <summary>A trained policy for the <c>policy</c> controller.</summary>
    public DeployablePolicy? Policy { get; init; }
    /// <summary>Put the action shield (task.shield) between the policy and the robot; null: on when the task declares constraints.</summary>
    public bool? Shield { get; init; }
    /// <summary>Wraps the controller the node built (fault injection in HIL rigs: the wrapper's output still goes through the filter).</summary>
    public Func<IController, IController>? WrapController { get; init; }
    /// <summary>Extra observers called after every cycle (recorders, test probes, fault injection).</summary>
    public IReadOnlyList<ICycleObserver> Observers { get; init; } = Array.Empty<ICycleObserver>();
    /// <summary>ROS 2 command-line arguments (<c>--ros-args</c>): node name, namespace and topic remaps of the ROS 2 components; null: none.</summary>
    public Ros2.Rcl.RosArguments? Ros { get; init; }
}

/// <summary>
/// The robot node, assembled from a validated robot description: hardware components from the registry,
/// the resource manager, the agent's controller, the safety filter, the task monitor and the control loop.
/// Everything that can be wrong with the input is found in <see cref="Build"/>, before any component is
/// configured or anything moves.
/// </summary>
public sealed class RobotNode : IDisposable
{
    private RobotNode(NodeOptions options, ResourceManager resources, IController controller, SafetyFilter filter, TaskMonitor? monitor, ControlLoop loop,
        Ros2Telemetry? telemetry, FleetLink? fleet)
    {
        Telemetry = telemetry;
        Fleet = fleet;
        Options = options;
        Resources = resources;
        Controller = controller;
        Filter = filter;
        Monitor = monitor;
        Loop = loop;
    }

    public NodeOptions Options { get; }
    /// <summary>Whether an action shield guards the policy controller.</summary>
    public bool Shielded { get; private init; }
    public RobotSpec Robot => Options.Robot;
    public ResourceManager Resources { get; }
    public IController Controller { get; }
    public SafetyFilter Filter { get; }
    public TaskMonitor? Monitor { get; }
    public ControlLoop Loop { get; }
    /// <summary>
    /// The node's <c>/joint_states</c> and <c>/diagnostics</c> publisher when the robot's hardware is on ROS 2 (started by
    /// <see cref="Activate"/>); null otherwise.
    /// </summary>
    public Ros2Telemetry? Telemetry { get; }
    /// <summary>The MQTT fleet link (telemetry, signed remote commands) when the robot file has <c>mqtt:</c>; started by <see cref="Activate"/>.</summary>
    public FleetLink? Fleet { get; }

    /// <summary>The registry of component types this node knows.</summary>
    /// <param name="ros">ROS 2 command-line arguments for the ROS 2 components; null: none.</param>
    /// <param name="wrapBus">Wraps each simulated Dynamixel bus (a HIL rig's serial fault proxy); null: none.</param>
    public static ComponentRegistry DefaultRegistry(Ros2.Rcl.RosArguments? ros = null, Func<ISimulatedBus, DynamixelSettings, ISimulatedBus>? wrapBus = null) =>
        new ComponentRegistry().AddSimulation().AddRos2(ros).AddSerial(wrapBus is null ? SimulatedDynamixelBus.Create
            : (settings, context) => SimulatedDynamixelBus.Create(settings, context) is { } bus ? wrapBus(bus, settings) : null);

    /// <summary>
    /// Builds (but does not start) the node. Throws <see cref="SpecException"/> for located problems in the
    /// robot file, <see cref="ArgumentException"/> for bad run-time overrides and
    /// <see cref="ClaimConflictException"/> when two claimants want one command interface.
    /// </summary>
    public static RobotNode Build(NodeOptions options, ComponentRegistry? registry = null)
    {
        var robot = options.Robot;
        var components = (registry ?? DefaultRegistry(options.Ros)).CreateAll(robot, options.Seed, options.InitialState, options.Clock);
        if (options.Clock.IsSimulated && components.Select(c => c.RealTimeOnly).OfType<string>().ToList() is { Count: > 0 } real)
        {
            foreach (var c in components) c.Shutdown();
            throw new ArgumentException($"the simulated clock runs as fast as the CPU allows, but {string.Join(" and ", real)}, which run on real time: " +
                                        "use the wall clock (rlr run --clock wall, use_sim:=false in a launch file, clock: wall in a HIL scenario)");
        }
        var resources = new ResourceManager(components);
        LearnedSettings.Read(robot); // agent.learned and agent.rl are checked whichever controller runs
        OnPolicySettings.Read(robot);
        // The learning task's terms are checked whichever controller runs, and reported with the agent's errors.
        // The agent's model is built once, and only when something needs it (building it also checks agent.model).
        IDynamicsModel? agentModel = null;
        var built = false;
        IDynamicsModel? Model()
        {
            if (!built) (agentModel, built) = (options.Model ?? AgentModel(robot, components), true);
            return agentModel;
        }
        var learningTask = EnvTaskReader.Declares(robot) && Model() is { } taskModel ? EnvTaskReader.Check(robot, taskModel) : null;
        var (policy, shielded) = options.Policy is { } trained && !robot.Agent.Node.Diagnostics.HasErrors
            ? PolicyControllerFor(options, robot, trained, learningTask, Model()) : (null, false);
        var controller = options.ControllerInstance ?? ControllerFactory.Create(robot, options.Controller,
            Model, new ControllerContext(options.Clock, options.Seed, options.Planner, policy));
        if (options.WrapController is { } wrap) controller = wrap(controller);
        robot.Agent.Node.Diagnostics.ThrowIfAny();
        var filter = new SafetyFilter(robot, resources.State, resources.Command);
        var monitor = robot.Task is { } task ? new TaskMonitor(task, resources.State) : null;
        var loopOptions = new ControlLoopOptions
        {
            RateHz = robot.RateHz,
            Duration_s = options.Duration_s,
            Realtime = options.ApplyRealtime ? robot.Realtime : RealtimeSpec.None,
        };
        var telemetry = components.OfType<Ros2TopicsSystem>().FirstOrDefault() is { Settings.PublishesTelemetry: true } ros
            ? new Ros2Telemetry(ros.Settings, robot, resources.State) : null;
        var fleet = FleetFor(robot, controller, resources);
        ICycleObserver?[] own = [monitor, telemetry, fleet];
        var observers = own.OfType<ICycleObserver>().Concat(options.Observers).ToArray();
        var loop = new ControlLoop(loopOptions, options.Clock, resources, controller, filter, observers);
        var sources = new TelemetrySources(loop.Statistics, filter, resources, () => loop.ControllerFault);
        telemetry?.Bind(sources);
        fleet?.Bind(sources, controller as IGoalTarget);
        return new RobotNode(options, resources, controller, filter, monitor, loop, telemetry, fleet) { Shielded = shielded };
    }

    // The robot file's mqtt: section, checked with the controller it will move (goal_limits must name goals it can move).
    private static FleetLink? FleetFor(RobotSpec robot, IController controller, ResourceManager resources)
    {
        if (robot.Mqtt is not { } node) return null;
        var settings = FleetSettings.Read(node, robot.Name);
        if (settings is not null)
            foreach (var problem in CommandChannel.CheckGoals(settings, controller as IGoalTarget)) node["commands"]["goal_limits"].Error(problem);
        node.Diagnostics.ThrowIfAny();
        return settings is null ? null : new FleetLink(settings, robot, resources.State);
    }

    // The policy controller, with the task's shield on the agent's model when the task declares hard constraints.
    private static (IController, bool) PolicyControllerFor(NodeOptions options, RobotSpec robot, DeployablePolicy policy, EnvTask? task, IDynamicsModel? model)
    {
        ActionShield? shield = null;
        if (options.Shield != false && task is { Constraints.Count: > 0 } && model is not null)
        {
            if (!policy.StateNames.SequenceEqual(task.StateNames))
                throw new ArgumentException($"the policy reads [{string.Join(", ", policy.StateNames)}] but the shield's model has [{string.Join(", ", task.StateNames)}]");
            shield = new ActionShield(task, model);
        }
        if (options.Shield == true && shield is null)
            throw new ArgumentException("--shield on needs hard constraints (task.shield.constraints) and a model of the robot");
        try { return (new PolicyController(robot, policy, shield), shield is not null); }
        catch (InvalidOperationException ex) { throw new ArgumentException(ex.Message); }
    }

    /// <summary>
    /// The agent's dynamics model: <c>agent.model</c> (<c>kind</c>, <c>joints</c>, <c>sensors</c>, <c>params</c>) when
    /// given, else the model of the robot's simulated component (a perfect model, as in CI).
    /// </summary>
    internal static IDynamicsModel? AgentModel(RobotSpec robot, IReadOnlyList<IHardwareComponent> components)
    {
        var node = robot.Agent.Node["model"];
        if (!node.IsMissing)
        {
            if (!node.ExpectMapping()) return null;
            var kind = node.String("kind");
            var joints = node.Strings("joints").Select(j => j.Value).ToList();
            if (joints.Count == 0) joints = robot.Joints.Select(j => j.Name).ToList();
            var sensors = node.Strings("sensors").Select(s => s.Value).ToList();
            var model = ModelFactory.Create(kind, node["kind"], node["params"], joints, sensors);
            node.RejectUnknownKeys();
            return model;
        }
        return components.OfType<SimulatedSystem>().FirstOrDefault()?.Model;
    }

    /// <summary>Configures and activates every component; returns the problems of any that refused.</summary>
    public IReadOnlyList<string> Activate()
    {
        var refused = Resources.ConfigureAndActivate();
        if (refused.Count == 0)
        {
            Telemetry?.Start();
            Fleet?.Start();
        }
        return refused;
    }

    public void Dispose()
    {
        Telemetry?.Dispose();
        Fleet?.Dispose();
        if (Controller is IDisposable disposable) disposable.Dispose();
        Resources.ShutdownAll();
    }
}
