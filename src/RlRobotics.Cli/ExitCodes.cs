namespace RlRobotics.Cli;

/// <summary>Exit codes of every <c>rlr</c> command.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (for <c>run</c>: the task's criteria held and no e-stop is latched).</summary>
    public const int Success = 0;
    /// <summary>It ran, but the task failed, the e-stop latched, or hardware refused to start.</summary>
    public const int TaskFailed = 1;
    /// <summary>Bad input: a bad robot file, bad arguments. Nothing was started.</summary>
    public const int BadInput = 2;
}
