using TracerBuild.Package;
using TracerBuild.Preflight;
using TracerBuild.Versioning;
using TracerBuild;

partial class Build
{
    Target Package => _ => _
        .DependsOn(Publish)
        .Description("Packs each arch into artifacts/tracer-<version>-linux-<arch>.tar.gz with a .sha256 and a CycloneDX SBOM (.cdx.json), each read back and verified")
        // The restore's assets file names the NuGet packages and runtime pack the SBOM lists.
        .Inputs(() => Arches.SelectMany(a => TarballContents(a)).Select(e => e.SourcePath).OfType<string>().Select(AbsolutePath.Of)
            .Concat(Arches.Select(Paths.AssetsFile)))
        .InputValues(() => [ReleaseVersion, SourceDate.ToUnixTimeSeconds().ToString(), .. Arches.Select(Paths.TarballName)])
        .Outputs(() => Arches.SelectMany(a => new[] { Paths.Tarball(a), Paths.TarballChecksum(a), Paths.Sbom(a) }))
        .Executes(() =>
        {
            // Every arch is checked before any tarball is written.
            ForEachArch(arch =>
            {
                ArchCheck.Verify(arch, TarballContents(arch));
                // The BPF object travels inside the tracer; check the one that was embedded.
                ArchCheck.VerifyBpfObject(Paths.BpfObject(arch));
                ProveLibrariesLoad(arch);
            });

            ForEachArch(arch =>
            {
                var tarball = Paths.Tarball(arch);
                // Written in a temporary folder and renamed: never beside the tarballs, where it would pass for a result.
                using var temporary = Temporary.Create("package");
                Tarball.Write(tarball, TarballContents(arch), SourceDate, temporary.Path);
                TarballReader.Verify(tarball, TarballContents(arch));
                Sha256.WriteSums(Paths.TarballChecksum(arch), [tarball], temporary.Path);
                Log.Line($"Wrote {Paths.Show(tarball)} ({tarball.FileLength():N0} bytes)");
                WriteSbom(arch);
            });
        });


    /// <summary>
    /// Beside the tarball rather than in it: it carries the tarball's own sha256 (which nothing inside can), scanners and
    /// attestations take it as a file without unpacking tens of megabytes, and SHA256SUMS covers it like every asset.
    /// </summary>
    void WriteSbom(Arch arch)
    {
        var top = Paths.TarballName(arch);
        var libraries = Prerequisites.Libraries
            .Select(l => new SbomLibrary($"{top}/lib/{l.File}", arch.LibraryDir / l.File, l.DebianPackage))
            .ToList();
        var input = new SbomInput(arch, Paths.Version, Paths.Tarball(arch), Paths.AssetsFile(arch),
            SelfContained ? null : Paths.PublishDirectory(arch) / "tracer.runtimeconfig.json", libraries, SourceDate);
        Sbom.Write(Paths.Sbom(arch), input,
            package => Programs.Run("dpkg-query", ["-W", "-f=${Version}", package], echo: false).Output.Trim(), OsRelease.Read());
        Log.Line($"Wrote {Paths.Show(Paths.Sbom(arch))}");
    }

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
        var top = Paths.TarballName(arch);
        var publish = Paths.PublishDirectory(arch);
        var program = SelfContained
            ? [new TarballEntry($"{top}/tracer", publish / "tracer", TarballEntry.Executable)]
            : publish.GetFiles()
                .Where(f => !f.Path.EndsWith(".pdb", StringComparison.Ordinal))
                .Select(f => new TarballEntry($"{top}/{f.Name}", f, TarballEntry.Regular))
                .Append(new TarballEntry($"{top}/tracer", Paths.TracerLauncher, TarballEntry.Executable));

        return
        [
            TarballEntry.Folder(top),
            TarballEntry.Folder($"{top}/lib"),
            .. program,
            .. Prerequisites.PackagedLibraries.Select(l => new TarballEntry($"{top}/lib/{l}", arch.LibraryDir / l, TarballEntry.Regular)),
            // The user's README (running, privileges, verifying), not the developers'.
            new TarballEntry($"{top}/README.md", Paths.UserReadme, TarballEntry.Regular),
            new TarballEntry($"{top}/LICENSE", Paths.License, TarballEntry.Regular),
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
