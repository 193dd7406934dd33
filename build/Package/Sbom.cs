using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using TracerBuild.Native;

namespace TracerBuild.Package;

/// <summary>A native library of a tarball: the component, the file that carries it, and the file built into it (hashed).</summary>
/// <param name="How">How the tarball carries it: linked into the tracer, or its file in lib/.</param>
public sealed record SbomLibrary(NativeComponent Component, string PathInTarball, string BuiltFile, string How);

/// <summary>What one tarball is made of, as the build knows it.</summary>
/// <param name="AssetsFile">The tracer's project.assets.json for the arch: the NuGet packages compiled in and the runtime pack.</param>
/// <param name="RuntimeConfig">tracer.runtimeconfig.json of a framework-dependent publish (the runtime it needs); null when self-contained.</param>
public sealed record SbomInput(
    Arch Arch,
    string Version,
    string Tarball,
    string AssetsFile,
    string? RuntimeConfig,
    IReadOnlyList<SbomLibrary> Libraries,
    DateTimeOffset Timestamp);

/// <summary>
/// A CycloneDX 1.6 SBOM of one release tarball: the tracer and its version, the .NET runtime, every NuGet package compiled
/// in, and the native libraries linked in (or in lib/) with their versions, origins and licences. Byte-reproducible like the
/// tarball: its timestamp is the tarball's mtime and its serial number derives from the tarball's sha256.
/// </summary>
public static class Sbom
{
    // A file, not HTML: '+' and '&' in versions and purls stay as they are.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(string path, SbomInput input)
    {
        var tarballSha256 = Sha256.OfFile(input.Tarball);
        var assets = JsonNode.Parse(File.ReadAllText(input.AssetsFile))!;
        var packageFolder = assets["packageFolders"]!.AsObject().Select(p => p.Key).First();

        var components = new JsonArray();
        components.Add(Runtime(input, assets, packageFolder));
        foreach (var package in NuGetPackages(input.Arch, assets, packageFolder))
            components.Add(package);
        foreach (var library in input.Libraries)
            components.Add(NativeLibrary(library));

        var bom = new JsonObject
        {
            ["bomFormat"] = "CycloneDX",
            ["specVersion"] = "1.6",
            ["serialNumber"] = $"urn:uuid:{NameBasedUuid(tarballSha256)}",
            ["version"] = 1,
            ["metadata"] = new JsonObject
            {
                ["timestamp"] = input.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                ["tools"] = new JsonObject { ["components"] = new JsonArray(new JsonObject { ["type"] = "application", ["name"] = "tracer-build" }) },
                ["component"] = new JsonObject
                {
                    ["type"] = "application",
                    ["bom-ref"] = "tracer",
                    ["name"] = "tracer",
                    ["version"] = input.Version,
                    ["description"] = $"eBPF tracer for {input.Arch.Rid}: {Path.GetFileName(input.Tarball)}",
                    ["hashes"] = new JsonArray(Hash("SHA-256", tarballSha256)),
                    ["properties"] = new JsonArray(Property("tracer:rid", input.Arch.Rid)),
                },
            },
            ["components"] = components,
            ["dependencies"] = new JsonArray(new JsonObject
            {
                ["ref"] = "tracer",
                ["dependsOn"] = new JsonArray([.. components.Select(c => JsonValue.Create((string)c!["bom-ref"]!))]),
            }),
        };
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(bom.ToJsonString(Indented) + "\n"));
    }

    /// <summary>Self-contained: the runtime pack compiled into the executable; framework-dependent: the runtime it needs, not in the tarball.</summary>
    private static JsonObject Runtime(SbomInput input, JsonNode assets, string packageFolder)
    {
        if (input.RuntimeConfig is { } runtimeConfig)
        {
            var framework = JsonNode.Parse(File.ReadAllText(runtimeConfig))!["runtimeOptions"]!["framework"]!;
            var name = (string)framework["name"]!;
            var version = (string)framework["version"]!;
            return new JsonObject
            {
                ["type"] = "framework",
                ["bom-ref"] = $"runtime:{name}@{version}",
                ["name"] = name,
                ["version"] = version,
                ["description"] = $"Not in the tarball: tracer.dll runs on an installed .NET runtime {version} or a later patch of it.",
                ["scope"] = "required",
            };
        }

        var pack = $"Microsoft.NETCore.App.Runtime.{input.Arch.Rid}";
        var download = assets["project"]!["frameworks"]!.AsObject().Single().Value!["downloadDependencies"]!.AsArray()
            .FirstOrDefault(d => (string)d!["name"]! == pack)
            ?? throw new BuildFailedException($"{input.AssetsFile} names no {pack}: is this a self-contained restore?");
        // NuGet writes an exact pin as a range, "[10.0.12, 10.0.12]".
        var packVersion = ((string)download["version"]!).Trim('[', ']').Split(',')[0].Trim();
        return new JsonObject
        {
            ["type"] = "framework",
            ["bom-ref"] = $"pkg:nuget/{pack}@{packVersion}",
            ["name"] = pack,
            ["version"] = packVersion,
            ["description"] = $".NET runtime {packVersion}, compiled into the self-contained tracer executable.",
            ["purl"] = $"pkg:nuget/{pack}@{packVersion}",
            ["licenses"] = NuSpecLicenses(Path.Combine(packageFolder, pack.ToLowerInvariant(), packVersion.ToLowerInvariant())),
        };
    }

    private static IEnumerable<JsonObject> NuGetPackages(Arch arch, JsonNode assets, string packageFolder)
    {
        var target = assets["targets"]!.AsObject().FirstOrDefault(t => t.Key.EndsWith("/" + arch.Rid, StringComparison.Ordinal)).Value
            ?? throw new BuildFailedException($"The tracer's restore has no {arch.Rid} target.");
        foreach (var (key, value) in target.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // Only what ships: a package without runtime or native assets (the trimmer's ILLink.Tasks) is a build tool.
            if ((string?)value!["type"] != "package" || !value.AsObject().Any(p => p.Key is "runtime" or "native" or "runtimeTargets"))
                continue;
            var library = assets["libraries"]![key]!;
            var (name, version) = (key[..key.IndexOf('/')], key[(key.IndexOf('/') + 1)..]);
            yield return new JsonObject
            {
                ["type"] = "library",
                ["bom-ref"] = $"pkg:nuget/{name}@{version}",
                ["name"] = name,
                ["version"] = version,
                ["purl"] = $"pkg:nuget/{name}@{version}",
                ["hashes"] = new JsonArray(Hash("SHA-512", Convert.ToHexStringLower(Convert.FromBase64String((string)library["sha512"]!)))),
                ["licenses"] = NuSpecLicenses(Path.Combine(packageFolder, (string)library["path"]!)),
            };
        }
    }

    /// <summary>The licence a package's .nuspec declares: an SPDX expression, else its licence URL.</summary>
    private static JsonArray NuSpecLicenses(string packageDirectory)
    {
        var nuspec = Directory.Exists(packageDirectory) ? Directory.EnumerateFiles(packageDirectory, "*.nuspec").FirstOrDefault() : null;
        if (nuspec is null)
            return [];
        var metadata = XDocument.Load(nuspec).Root!.Elements().First(e => e.Name.LocalName == "metadata");
        var license = metadata.Elements().FirstOrDefault(e => e.Name.LocalName == "license");
        if (license?.Attribute("type")?.Value == "expression")
            return [new JsonObject { ["expression"] = license.Value.Trim() }];
        var url = metadata.Elements().FirstOrDefault(e => e.Name.LocalName == "licenseUrl")?.Value.Trim();
        return url is { Length: > 0 } ? [new JsonObject { ["license"] = new JsonObject { ["name"] = "see URL", ["url"] = url } }] : [];
    }

    private static JsonObject NativeLibrary(SbomLibrary library)
    {
        var component = library.Component;
        return new JsonObject
        {
            ["type"] = "library",
            ["bom-ref"] = component.Purl,
            ["name"] = component.Name,
            ["version"] = component.Version,
            ["description"] = $"{component.Name} {component.Version}, {library.How}: {component.Origin}",
            ["purl"] = component.Purl,
            ["hashes"] = new JsonArray(Hash("SHA-256", Sha256.OfFile(library.BuiltFile))),
            ["licenses"] = new JsonArray(new JsonObject { ["expression"] = component.License }),
            ["evidence"] = new JsonObject { ["occurrences"] = new JsonArray(new JsonObject { ["location"] = library.PathInTarball }) },
        };
    }

    private static JsonObject Hash(string algorithm, string hex) => new() { ["alg"] = algorithm, ["content"] = hex };

    private static JsonObject Property(string name, string value) => new() { ["name"] = name, ["value"] = value };

    /// <summary>An RFC 4122 UUID (version 5 layout) from a hash, so the same tarball always gets the same serial number.</summary>
    private static Guid NameBasedUuid(string sha256Hex)
    {
        var bytes = SHA1.HashData(Convert.FromHexString(sha256Hex))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
