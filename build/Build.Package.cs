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
                var contents = TarballContents(arch);
                ArchCheck.Verify(arch, contents);
                GlibcFloor.Verify(contents);
                if (PublishSettings(arch).LinksNatively)
                    GlibcFloor.VerifyOnlyGlibcNeeded(contents.Single(e => e.Name == $"{Paths.TarballName(arch)}/tracer"));
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
        var linked = PublishSettings(arch).LinksNatively;
        var libraries = Paths.NativeLibraries(arch).Components(arch)
            .Select(c => linked
                ? new SbomLibrary(c, $"{top}/tracer", c.StaticFile, "linked into the tracer")
                : new SbomLibrary(c, $"{top}/lib/{c.SharedFile.Name}", c.SharedFile, $"lib/{c.SharedFile.Name}"))
            .ToList();
        var input = new SbomInput(arch, Paths.Version, Paths.Tarball(arch), Paths.AssetsFile(arch),
            SelfContained ? null : Paths.PublishDirectory(arch) / "tracer.runtimeconfig.json", libraries, SourceDate);
        Sbom.Write(Paths.Sbom(arch), input);
        Log.Line($"Wrote {Paths.Show(Paths.Sbom(arch))}");
    }

    /// <summary>A foreign arch's lib/ is loaded under qemu when it is installed; optional, since it only adds proof.</summary>
    void ProveLibrariesLoad(Arch arch)
    {
        if (arch == TracerBuild.Arch.Host || PublishSettings(arch).LinksNatively)
            return;
        var probe = new LibbpfProbe(arch, RootDirectory);
        if (!probe.IsAvailable)
        {
            Log.Line($"Skipping the {arch.Name} library load check: {probe.Unavailable}.");
            return;
        }
        Log.Line($"{arch.Name} libraries load under qemu: {probe.Run(Paths.NativeLibraries(arch).Shared)}");
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

        var native = Paths.NativeLibraries(arch);
        IEnumerable<TarballEntry> lib = PublishSettings(arch).LinksNatively
            ? []
            :
            [
                TarballEntry.Folder($"{top}/lib"),
                .. TracerBuild.Native.NativeLibraries.SharedFiles.Select(l => new TarballEntry($"{top}/lib/{l}", native.Shared / l, TarballEntry.Regular)),
            ];
        return
        [
            TarballEntry.Folder(top),
            .. program,
            .. lib,
            // What is linked in (or in lib/) is distributed under these.
            TarballEntry.Folder($"{top}/licenses"),
            .. TracerBuild.Native.NativeLibraries.LicenseFiles.Select(f => f.Split('/')[0]).Distinct().Select(d => TarballEntry.Folder($"{top}/licenses/{d}")),
            .. TracerBuild.Native.NativeLibraries.LicenseFiles.Select(f => new TarballEntry($"{top}/licenses/{f}", native.Licenses / f, TarballEntry.Regular)),
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
