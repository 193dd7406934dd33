namespace TracerBuild;

/// <summary>How the tracer is published for one arch; the same properties serve the restore check and the publish.</summary>
public sealed record TracerPublishSettings(Arch Arch, bool SelfContained, string Configuration, string Version, string BpfObject)
{
    public IReadOnlyList<string> MsBuildArguments =>
    [
        $"-p:Configuration={Configuration}",
        "-r", Arch.Rid,
        $"-p:SelfContained={SelfContained}",
        // Single file and trimming need the arch's runtime pack, so only self-contained builds use them.
        $"-p:PublishSingleFile={SelfContained}",
        $"-p:PublishTrimmed={SelfContained}",
        $"-p:UseAppHost={SelfContained}",
        $"-p:Version={ReleaseVersion.WithoutMetadata(Version)}",
        $"-p:InformationalVersion={Version}",
        $"-p:BpfObject={BpfObject}",
    ];
}
