namespace RlRobotics.Ros2.Messages;

/// <summary>The ROS 2 distribution whose message layouts to use where they differ (rmw_dds_common/Gid: 24 bytes in Humble, 16 from Iron on).</summary>
public enum RosDistro
{
    Humble,
    Jazzy,
}
