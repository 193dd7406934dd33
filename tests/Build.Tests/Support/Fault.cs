namespace TracerBuild.Tests;

/// <summary>How the mirror answers one request.</summary>
public enum Fault
{
    None,
    ServerError,
    DropMidBody,
    ShortBody,
    Slow,
    Stall,
}
