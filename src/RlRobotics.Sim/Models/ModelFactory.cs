using RlRobotics.Core.Spec;

namespace RlRobotics.Sim.Models;

/// <summary>
/// Builds a simulated mechanism by name (<c>pendulum</c>, <c>cartpole</c>, <c>acrobot</c>, <c>arm2</c>,
/// <c>diffdrive</c>) from a <c>params:</c> mapping, checking every key, and binds its joints and sensors to the
/// names the robot file uses.
/// </summary>
public static class ModelFactory
{
    public static IReadOnlyList<string> Kinds { get; } = new[] { "pendulum", "cartpole", "acrobot", "arm2", "diffdrive" };

    /// <summary>
    /// Creates model <paramref name="kind"/>; problems are recorded on <paramref name="at"/> (the node naming the
    /// model) and <paramref name="parameters"/>. Returns null when the model cannot be built.
    /// </summary>
    public static IMechanicalModel? Create(string kind, ConfigNode at, ConfigNode parameters, IReadOnlyList<string> joints, IReadOnlyList<string> sensors)
    {
        parameters.ExpectMapping(optional: true);
        var jointCount = kind switch { "pendulum" => 1, "cartpole" or "acrobot" or "arm2" or "diffdrive" => 2, _ => -1 };
        if (jointCount < 0)
        {
            at.Error($"unknown model '{kind}'; expected one of: {string.Join(", ", Kinds)}");
            return null;
        }
        if (joints.Count != jointCount)
        {
            at.Error($"model '{kind}' has {jointCount} joint(s) but the component serves {joints.Count}: [{string.Join(", ", joints)}]");
            return null;
        }
        var positive = (Func<double, bool>)(v => v > 0);
        var nonNegative = (Func<double, bool>)(v => v >= 0);
        const string pos = "a value above 0";
        const string nonNeg = "a value of at least 0";
        IMechanicalModel? model;
        switch (kind)
        {
            case "pendulum":
            {
                var d = new PendulumParameters();
                model = new Pendulum(new PendulumParameters
                {
                    Mass_kg = parameters.Double("mass_kg", d.Mass_kg, positive, pos),
                    Length_m = parameters.Double("length_m", d.Length_m, positive, pos),
                    Gravity_mps2 = parameters.Double("gravity_mps2", d.Gravity_mps2, nonNegative, nonNeg),
                    Damping = parameters.Double("damping", d.Damping, nonNegative, nonNeg),
                }, joints[0]);
                break;
            }
            case "cartpole":
            {
                var d = new CartPoleParameters();
                model = new CartPole(new CartPoleParameters
                {
                    CartMass_kg = parameters.Double("cart_mass_kg", d.CartMass_kg, positive, pos),
                    PoleMass_kg = parameters.Double("pole_mass_kg", d.PoleMass_kg, positive, pos),
                    PoleLength_m = parameters.Double("pole_length_m", d.PoleLength_m, positive, pos),
                    Gravity_mps2 = parameters.Double("gravity_mps2", d.Gravity_mps2, nonNegative, nonNeg),
                    CartDamping = parameters.Double("cart_damping", d.CartDamping, nonNegative, nonNeg),
                    PoleDamping = parameters.Double("pole_damping", d.PoleDamping, nonNegative, nonNeg),
                }, joints[0], joints[1]);
                break;
            }
            case "acrobot" or "arm2":
            {
                var d = kind == "arm2" ? TwoLinkParameters.Arm : new TwoLinkParameters();
                var p = new TwoLinkParameters
                {
                    Mass1_kg = parameters.Double("mass1_kg", d.Mass1_kg, positive, pos),
                    Mass2_kg = parameters.Double("mass2_kg", d.Mass2_kg, positive, pos),
                    Length1_m = parameters.Double("length1_m", d.Length1_m, positive, pos),
                    Length2_m = parameters.Double("length2_m", d.Length2_m, positive, pos),
                    Com1_m = parameters.Double("com1_m", d.Com1_m, positive, pos),
                    Com2_m = parameters.Double("com2_m", d.Com2_m, positive, pos),
                    Inertia1_kgm2 = parameters.Double("inertia1_kgm2", d.Inertia1_kgm2, nonNegative, nonNeg),
                    Inertia2_kgm2 = parameters.Double("inertia2_kgm2", d.Inertia2_kgm2, nonNegative, nonNeg),
                    Gravity_mps2 = parameters.Double("gravity_mps2", d.Gravity_mps2, nonNegative, nonNeg),
                    Damping1 = parameters.Double("damping1", d.Damping1, nonNegative, nonNeg),
                    Damping2 = parameters.Double("damping2", d.Damping2, nonNegative, nonNeg),
                };
                model = kind == "arm2" ? TwoLink.Arm(p, joints[0], joints[1]) : TwoLink.Acrobot(p, joints[0], joints[1]);
                break;
            }
            default:
            {
                if (sensors.Count != 1)
                {
                    at.Error($"model 'diffdrive' reports its pose through one odometry sensor (fields x, y, yaw); the component serves {sensors.Count}");
                    return null;
                }
                var d = new DiffDriveParameters();
                model = new DiffDrive(new DiffDriveParameters
                {
                    WheelRadius_m = parameters.Double("wheel_radius_m", d.WheelRadius_m, positive, pos),
                    Track_m = parameters.Double("track_m", d.Track_m, positive, pos),
                    WheelInertia_kgm2 = parameters.Double("wheel_inertia_kgm2", d.WheelInertia_kgm2, positive, pos),
                    WheelDamping = parameters.Double("wheel_damping", d.WheelDamping, nonNegative, nonNeg),
                }, joints[0], joints[1], sensors[0]);
                break;
            }
        }
        parameters.RejectUnknownKeys();
        return model;
    }
}
