using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target Package => _ => _
        .DependsOn(Publish)
        .Description("Packs each arch into artifacts/tracer-<version>-linux-<arch>.tar.gz with a .sha256, each read back and verified")
        .Inputs(() => Arches.SelectMany(a => TarballContents(a)).Select(e => e.SourcePath).OfType<string>())
        .InputValues(() => [ReleaseVersion, SourceDate.ToUnixTimeSeconds().ToString(), .. Arches.Select(TarballName)])
        .Outputs(() => Arches.SelectMany(a => new[] { TarballPath(a), TarballPath(a) + ".sha256" }))
        .Executes(() =>
        {
            // Every arch is checked before any tarball is written.
            ForEachArch(arch =>
            {
                ArchCheck.Verify(arch, TarballContents(arch));
                // The BPF object travels inside the tracer; check the one that was embedded.
                ArchCheck.VerifyBpfObject(BpfObject(arch));
                ProveLibrariesLoad(arch);
            });

            ForEachArch(arch =>
            {
                var tarball = TarballPath(arch);
                Tarball.Write(tarball, TarballContents(arch), SourceDate);
                TarballReader.Verify(tarball, TarballContents(arch));
                Sha256.WriteSums(tarball + ".sha256", [tarball]);
                Log.Line($"Wrote {Path.GetRelativePath(RootDirectory, tarball)} ({new FileInfo(tarball).Length:N0} bytes)");
            });
        });

    string TarballName(Arch arch) => arch.TarballName(TracerBuild.ReleaseVersion.WithoutMetadata(ReleaseVersion), SelfContained);

    string TarballPath(Arch arch) => Path.Combine(ArtifactsDirectory, $"{TarballName(arch)}.tar.gz");

    /// <summary>A foreign arch's libraries are loaded under qemu when it is installed; optional, since it only adds proof.</summary>
    void ProveLibrariesLoad(Arch arch)
    {
        if (arch == TracerBuild.Arch.Host)
            return;
        var probe = new LibbpfProbe(arch, RootDirectory);
        if (!probe.IsAvailable)
        {
            Log.Line($"Skipping the {arch.Name} library load check: {probe.Unavailable}.");
            return;
        }
        Log.Line($"{arch.Name} libraries load under qemu: {probe.Run(arch.LibraryDir)}");
    }

    IReadOnlyList<TarballEntry> TarballContents(Arch arch)
    {
        var top = TarballName(arch);
        var publish = PublishDirectory(arch);
        var program = SelfContained
            ? [new TarballEntry($"{top}/tracer", Path.Combine(publish, "tracer"), TarballEntry.Executable)]
            : (Directory.Exists(publish) ? Directory.EnumerateFiles(publish) : [])
                .Where(f => !f.EndsWith(".pdb", StringComparison.Ordinal))
                .Select(f => new TarballEntry($"{top}/{Path.GetFileName(f)}", f, TarballEntry.Regular))
                .Append(new TarballEntry($"{top}/tracer", Path.Combine(TracerDirectory, "tracer.sh"), TarballEntry.Executable));

        return
        [
            TarballEntry.Folder(top),
            TarballEntry.Folder($"{top}/lib"),
            .. program,
            .. Prerequisites.PackagedLibraries.Select(l => new TarballEntry($"{top}/lib/{l}", Path.Combine(arch.LibraryDir, l), TarballEntry.Regular)),
            new TarballEntry($"{top}/README.md", Path.Combine(RootDirectory, "README.md"), TarballEntry.Regular),
            new TarballEntry($"{top}/LICENSE", Path.Combine(RootDirectory, "LICENSE"), TarballEntry.Regular),
        ];
    }

    /// <summary>SOURCE_DATE_EPOCH, else the HEAD commit time, so two builds of one commit give the same bytes.</summary>
    DateTimeOffset ReadSourceDate()
    {
        if (EnvironmentVariables.GetValueOrDefault("SOURCE_DATE_EPOCH") is { Length: > 0 } epoch)
        {
            return long.TryParse(epoch, out var seconds) && seconds >= 0
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : throw new BuildInputException($"SOURCE_DATE_EPOCH must be a number of seconds since 1970, got '{epoch}'.");
        }
        return Head is null ? DateTimeOffset.UnixEpoch : DateTimeOffset.FromUnixTimeSeconds(Head.CommitTime);
    }
}
