using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using TracerBuild.Vm;

namespace TracerBuild.KernelBtf;

/// <summary>
/// One kernel the tracer carries BTF for: its release as <c>uname -r</c> prints it, the Debian package and version it
/// comes from, and the sha256 of the full BTF in that package's image (so a package rebuilt under the same version is caught).
/// </summary>
public sealed record KernelBtfLockEntry(string Release, string Package, string Version, string Sha256)
{
    /// <summary>What differs between the pinned kernel and the one found, in words; null when they are the same.</summary>
    public string? Mismatch(KernelBtfLockEntry found) =>
        (Package, Version) != (found.Package, found.Version) ? $"the kernel package is {found.Package} {found.Version}, the lock pins {Package} {Version}"
        : Release != found.Release ? $"{Package} {Version} holds the kernel {found.Release}, the lock pins {Release}"
        : Sha256 != found.Sha256 ? $"the BTF of {Package} {Version} hashes to {found.Sha256}, the lock pins {Sha256} (the package was rebuilt)"
        : null;
}

/// <summary>
/// The model of <c>bpf/btf.lock.json</c>: per arch of <see cref="Arch"/> and Debian release of <see cref="DebianKernel"/>
/// (the VmTest matrix), the kernel whose minimized BTF the build makes.
/// </summary>
public sealed partial record KernelBtfLock(IReadOnlyDictionary<(Arch Arch, DebianKernel Kernel), KernelBtfLockEntry> Kernels)
{
    public const string Remedy = "Run ./build.sh --target UpdateKernelBtf to pin the kernels VmTest boots, then commit bpf/btf.lock.json.";

    /// <summary>Every kernel of the matrix for the arch, oldest first; one the lock lacks is an error.</summary>
    public IReadOnlyList<(DebianKernel Kernel, KernelBtfLockEntry Entry)> For(Arch arch) =>
    [
        .. DebianKernel.All.Select(kernel => Kernels.TryGetValue((arch, kernel), out var entry)
            ? (kernel, entry)
            : throw new BuildInputException($"The kernel BTF lock has no {kernel.Suite} kernel for {arch.Name}. {Remedy}")),
    ];

    /// <summary>The lock file's text: arches and releases in table order, two-space indented, a final newline.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        // Relaxed: releases such as 6.12.117+deb13-cloud-amd64 keep their '+' rather than \u002B; the file goes into no HTML.
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(stream, options))
        {
            json.WriteStartObject();
            json.WriteStartObject("kernels");
            foreach (var arch in Arch.All.Where(a => Kernels.Keys.Any(k => k.Arch == a)))
            {
                json.WriteStartObject(arch.Name);
                foreach (var kernel in DebianKernel.All.Where(k => Kernels.ContainsKey((arch, k))))
                {
                    var entry = Kernels[(arch, kernel)];
                    json.WriteStartObject(kernel.Suite);
                    json.WriteString("release", entry.Release);
                    json.WriteString("package", entry.Package);
                    json.WriteString("version", entry.Version);
                    json.WriteString("sha256", entry.Sha256);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    public static KernelBtfLock Load(string path)
    {
        if (!File.Exists(path))
            throw new BuildInputException($"{path} is missing: it pins the kernels the tracer carries BTF for. {Remedy}");
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (BuildInputException e)
        {
            throw new BuildInputException($"{path}: {e.Message}");
        }
    }

    public static KernelBtfLock Parse(string json)
    {
        LockFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, KernelBtfLockJsonContext.Default.LockFile);
        }
        catch (JsonException e)
        {
            throw new BuildInputException($"not valid JSON: {e.Message}");
        }
        if (file?.Kernels is null)
            throw new BuildInputException("expected an object with 'kernels', which maps each arch to its Debian releases' kernels.");

        var kernels = new Dictionary<(Arch, DebianKernel), KernelBtfLockEntry>();
        foreach (var (archName, releases) in file.Kernels)
        {
            var arch = Arch.All.FirstOrDefault(a => a.Name == archName)
                ?? throw new BuildInputException($"'{archName}' is not an arch of build/Arch.cs ({string.Join(", ", Arch.All.Select(a => a.Name))}).");
            foreach (var (suite, entry) in releases ?? [])
            {
                var kernel = DebianKernel.All.FirstOrDefault(k => k.Suite == suite)
                    ?? throw new BuildInputException($"'{suite}' is not a Debian release of build/Vm/DebianKernel.cs ({string.Join(", ", DebianKernel.All.Select(k => k.Suite))}).");
                var at = $"kernels.{archName}.{suite}";
                // The release names a file (artifacts/obj/btf/<arch>/<release>.btf), so it must not climb out of its folder.
                if (entry?.Release is null || !ReleasePattern().IsMatch(entry.Release))
                    throw new BuildInputException($"{at}.release must be a kernel release such as 6.1.0-50-cloud-amd64, got '{entry?.Release}'.");
                if (entry.Package is null || !PackagePattern().IsMatch(entry.Package))
                    throw new BuildInputException($"{at}.package must be a Debian package name, got '{entry.Package}'.");
                if (entry.Version is null || !VersionPattern().IsMatch(entry.Version))
                    throw new BuildInputException($"{at}.version must be a Debian version such as 6.1.176-1, got '{entry.Version}'.");
                if (entry.Sha256 is null || !Sha256Pattern().IsMatch(entry.Sha256))
                    throw new BuildInputException($"{at}.sha256 must be 64 lowercase hex digits, got '{entry.Sha256}'.");
                kernels[(arch, kernel)] = new KernelBtfLockEntry(entry.Release, entry.Package, entry.Version, entry.Sha256);
            }
        }
        return new KernelBtfLock(kernels);
    }

    [GeneratedRegex(@"^[0-9][A-Za-z0-9.+_~-]*$")]
    private static partial Regex ReleasePattern();

    // Debian policy 5.6.1 and 5.6.12: lowercase names; versions of digits, letters and .+~- (an epoch's colon too).
    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.-]+$")]
    private static partial Regex PackagePattern();

    [GeneratedRegex(@"^[0-9][A-Za-z0-9.+~:-]*$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    internal sealed record LockFileEntry(string? Release, string? Package, string? Version, string? Sha256);

    internal sealed record LockFile(Dictionary<string, Dictionary<string, LockFileEntry?>?>? Kernels);
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(KernelBtfLock.LockFile))]
internal sealed partial class KernelBtfLockJsonContext : JsonSerializerContext;
