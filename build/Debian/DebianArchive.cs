using System.Text.RegularExpressions;

namespace TracerBuild.Debian;

/// <summary>
/// One Debian suite of one arch, reached through an apt state of its own (lists, status, sources.list under
/// <paramref name="stateDirectory"/>), so the machine's own apt setup is never read or changed.
/// </summary>
public sealed partial class DebianArchive(string stateDirectory, string uri, string suite, Arch arch)
{
    /// <summary>Debian's keyring verifies every supported suite; named so that Ubuntu hosts use it too.</summary>
    public const string Keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";

    public const string DefaultUri = "http://deb.debian.org/debian";

    private IReadOnlyList<string> Options =>
    [
        "-o", $"Dir::State={stateDirectory}",
        "-o", $"Dir::State::Lists={stateDirectory}/lists",
        "-o", $"Dir::State::status={stateDirectory}/status",
        "-o", $"Dir::Cache={stateDirectory}",
        "-o", $"Dir::Cache::Archives={stateDirectory}/archives",
        "-o", $"Dir::Etc::SourceList={stateDirectory}/sources.list",
        "-o", "Dir::Etc::SourceParts=-",
        "-o", $"APT::Architecture={arch.DebianArch}",
        "-o", $"APT::Architectures::={arch.DebianArch}",
        // Only the package lists: no translations, no AppStream metadata.
        "-o", "Acquire::Languages=none",
        "-o", "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false",
        "-o", "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false",
        "-o", "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false",
        // Root downloads into the cache itself rather than as _apt, which may not reach it.
        "-o", "APT::Sandbox::User=root",
    ];

    public void Update()
    {
        foreach (var folder in new[] { "lists/partial", "archives/partial" })
            Directory.CreateDirectory(Path.Combine(stateDirectory, folder));
        File.WriteAllText(Path.Combine(stateDirectory, "status"), "");
        File.WriteAllText(Path.Combine(stateDirectory, "sources.list"), $"deb [arch={arch.DebianArch} signed-by={Keyring}] {uri} {suite} main\n");
        Programs.Run("apt-get", [.. Options, "update"], echo: false);
    }

    /// <summary>The versioned package a metapackage such as linux-image-cloud-arm64 depends on.</summary>
    public string Dependency(string metapackage)
    {
        var depends = Programs.Run("apt-cache", [.. Options, "depends", metapackage], echo: false).Output;
        return DependsLine().Match(depends) is { Success: true } match
            ? match.Groups[1].Value
            : throw new Engine.BuildFailedException($"{metapackage} in {suite} ({arch.DebianArch}) names no package it depends on.");
    }

    /// <summary>Downloads packages into a new, empty folder; returns their files.</summary>
    public IReadOnlyList<string> Download(IEnumerable<string> packages, string folder)
    {
        Directory.CreateDirectory(folder);
        Programs.Run("apt-get", [.. Options, "download", .. packages], workingDirectory: folder, echo: false);
        return Directory.GetFiles(folder, "*.deb").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The Debian archive the machine's apt sources name (deb822 or one-line), else <see cref="DefaultUri"/>.</summary>
    public static string HostArchiveUri()
    {
        var sources = new[] { "/etc/apt/sources.list" }
            .Concat(Directory.Exists("/etc/apt/sources.list.d") ? Directory.GetFiles("/etc/apt/sources.list.d").Order(StringComparer.Ordinal) : [])
            .Where(f => f.EndsWith(".list", StringComparison.Ordinal) || f.EndsWith(".sources", StringComparison.Ordinal))
            .Where(File.Exists)
            .Select(File.ReadAllText);
        foreach (var text in sources)
        {
            if (DebianUri().Match(text) is { Success: true } match)
                return match.Groups[1].Value.TrimEnd('/');
        }
        return DefaultUri;
    }

    [GeneratedRegex(@"^\s*Depends:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex DependsLine();

    // A URI whose last path segment is "debian" (not debian-security): the main archive, however it is mirrored.
    [GeneratedRegex(@"(?m)^(?!\s*#).*?\b((?:https?|file)://\S*/debian)/?(?=\s)")]
    private static partial Regex DebianUri();
}
