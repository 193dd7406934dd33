namespace Tracer;

/// <summary>
/// Every exit code the tracer returns, and the one place they are kept: both READMEs' exit-code tables are checked
/// against this enum, both ways (ExitCodeTests).
/// </summary>
internal enum ExitCode
{
    Ok = 0,

    /// <summary>The kernel refused the programs; doctor's live connect failed; stdout failed; a signal while stdout was blocked.</summary>
    Error = 1,

    /// <summary>Bad arguments, as for most command-line tools (and System.CommandLine's own convention).</summary>
    Usage = 2,

    NotPermitted = 3,
    NoBtf = 4,
    KernelTooOld = 5,
    NoLibbpf = 6,

    /// <summary>Stdout's reader has gone, as a shell shows a program killed by SIGPIPE (128 + 13).</summary>
    OutputClosed = 141,
}

/// <summary>An error the user can act on: printed as one line, with its exit code.</summary>
internal sealed class TracerException(string message, ExitCode exitCode = ExitCode.Error) : Exception(message)
{
    public ExitCode ExitCode { get; } = exitCode;
}
