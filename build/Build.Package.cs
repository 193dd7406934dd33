using TracerBuild;

partial class Build
{
    Target Package => _ => _
        .DependsOn(Publish)
        .Description("Packs each arch into artifacts/tracer-<version>-linux-<arch>.tar.gz with a .sha256 and a CycloneDX SBOM (.cdx.json), each read back and verified")
        // The restore's assets file names the NuGet packages and runtime pack the SBOM lists.
        .Inputs(() => Arches.SelectMany(a => TarballContents(a)).Select(e => e.SourcePath).OfType<string>()
            .Concat(Arches.Select(AssetsFile)))
        .InputValues(() => [ReleaseVersion, SourceDate.ToUnixTimeSeconds().ToString(), .. Arches.Select(TarballName)])
        .Outputs(() => Arches.SelectMany(a => new[] { TarballPath(a), TarballPath(a) + ".sha256", SbomPath(a) }))
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
                Tarball.Write(tarball, TarballContents(arch), SourceDate, PackageTemporaryDirectory);
                TarballReader.Verify(tarball, TarballContents(arch));
                Sha256.WriteSums(tarball + ".sha256", [tarball], PackageTemporaryDirectory);
                Log.Line($"Wrote {Path.GetRelativePath(RootDirectory, tarball)} ({new FileInfo(tarball).Length:N0} bytes)");
                WriteSbom(arch);
            });
        });

    /// <summary>Where tarballs are written before they are renamed into artifacts/: not beside them, where they pass for results.</summary>
    string PackageTemporaryDirectory => Path.Combine(ObjDirectory, "package-tmp");

    /// <summary>
    /// Half-written tarballs of a killed Package, swept by the next build whether or not Package runs: in its temporary
    /// folder, or beside the tarballs where older builds wrote them. The build lock makes them no running build's.
    /// </summary>
    protected override void OnBuildLockTaken()
    {
        var leftovers = (Directory.Exists(PackageTemporaryDirectory) ? Directory.EnumerateFiles(PackageTemporaryDirectory) : [])
            .Concat(Directory.EnumerateFiles(ArtifactsDirectory, $"*{AtomicFile.TemporaryMarker}*"))
            .ToList();
        foreach (var leftover in leftovers)
        {
            Log.Line($"Removing {Path.GetRelativePath(RootDirectory, leftover)}, left by a build that was stopped");
            File.Delete(leftover);
        }
    }

    /// <summary>
    /// Beside the tarball rather than in it: it carries the tarball's own sha256 (which nothing inside can), scanners and
    /// attestations take it as a file without unpacking tens of megabytes, and SHA256SUMS covers it like every asset.
    /// </summary>
    void WriteSbom(Arch arch)
    {
        var top = TarballName(arch);
        var libraries = Prerequisites.Libraries
            .Select(l => new SbomLibrary($"{top}/lib/{l.File}", Path.Combine(arch.LibraryDir, l.File), l.DebianPackage))
            .ToList();
        var input = new SbomInput(arch, TracerBuild.ReleaseVersion.WithoutMetadata(ReleaseVersion), TarballPath(arch), AssetsFile(arch),
            SelfContained ? null : Path.Combine(PublishDirectory(arch), "tracer.runtimeconfig.json"), libraries, SourceDate);
        Sbom.Write(SbomPath(arch), input,
            package => Programs.Run("dpkg-query", ["-W", "-f=${Version}", package], echo: false).Output.Trim(), OsRelease.Read());
        Log.Line($"Wrote {Path.GetRelativePath(RootDirectory, SbomPath(arch))}");
    }

    string SbomPath(Arch arch) => Path.Combine(ArtifactsDirectory, arch.SbomFileName(TracerBuild.ReleaseVersion.WithoutMetadata(ReleaseVersion)));

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
            // The user's README (running, privileges, verifying), not the developers'.
            new TarballEntry($"{top}/README.md", Path.Combine(RootDirectory, "docs", "USER-README.md"), TarballEntry.Regular),
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
