namespace RlRobotics.Serial.Dynamixel;

/// <summary>
/// The one place where a servo's units meet the joint's SI units. With d the direction (±1), z the tick at which
/// the joint is at its offset angle θ₀, and N ticks per revolution:
/// <list type="bullet">
/// <item>position: θ = d (ticks − z) 2π/N + θ₀ (rad);</item>
/// <item>velocity: ω = d · units · 0.229 rpm · 2π/60 (rad/s);</item>
/// <item>effort: τ = d · units · 2.69 mA · k_t (N·m), with k_t the model's torque constant.</item>
/// </list>
/// Conversions to the servo round to the nearest unit.
/// </summary>
public readonly record struct ServoScale(ServoModel Model, int Direction, double Offset_rad, int Zero_ticks)
{
    private double RadPerTick => 2 * Math.PI / Model.TicksPerRevolution;
    private double RadPerSecondPerUnit => Model.RpmPerVelocityUnit * 2 * Math.PI / 60;
    private double NmPerUnit => Model.AmperePerCurrentUnit * Model.TorqueConstant_NmPerA;

    public double Position_rad(int ticks) => Direction * (ticks - Zero_ticks) * RadPerTick + Offset_rad;

    public int PositionTicks(double rad) => Zero_ticks + (int)Math.Round(Direction * (rad - Offset_rad) / RadPerTick);

    public double Velocity_radps(int units) => Direction * units * RadPerSecondPerUnit;

    public int VelocityUnits(double radps) => (int)Math.Round(Direction * radps / RadPerSecondPerUnit);

    public double Current_A(int units) => units * Model.AmperePerCurrentUnit;

    public double Effort_Nm(int units) => Direction * units * NmPerUnit;

    public int CurrentUnits(double nm) => (int)Math.Round(Direction * nm / NmPerUnit);

    /// <summary>Current units for a current in A (no direction: limits are magnitudes).</summary>
    public int CurrentUnitsOfAmpere(double ampere) => (int)Math.Round(ampere / Model.AmperePerCurrentUnit);
}
