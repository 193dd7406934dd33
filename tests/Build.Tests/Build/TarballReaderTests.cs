using System.Formats.Tar;
using System.IO.Compression;

namespace TracerBuild.Tests;

/// <summary>Package's read-back check, on tarballs written to be wrong in one way each.</summary>
public sealed class TarballReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _program;
    private readonly string _library;
    private readonly TarballEntry[] _expected;

    public TarballReaderTests()
    {
        _program = Path.Combine(_temp.Path, "tracer");
        _library = Path.Combine(_temp.Path, "libz.so.1");
        File.WriteAllText(_program, "#!/bin/sh\necho tracer\n");
        File.WriteAllBytes(_library, new byte[1000]);
        _expected =
        [
            TarballEntry.Folder("t"),
            TarballEntry.Folder("t/lib"),
            new("t/tracer", _program, TarballEntry.Executable),
            new("t/lib/libz.so.1", _library, TarballEntry.Regular),
        ];
    }

    public void Dispose() => _temp.Dispose();

    private string Written(IEnumerable<TarballEntry> entries)
    {
        var path = Path.Combine(_temp.Path, "t.tar.gz");
        Tarball.Write(path, entries, DateTimeOffset.UnixEpoch);
        return path;
    }

    /// <summary>A tarball with whatever entries a test needs, links and all, written with System.Formats.Tar directly.</summary>
    private string Crafted(params TarEntry[] entries)
    {
        var path = Path.Combine(_temp.Path, "crafted.tar.gz");
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu))
        {
            foreach (var entry in entries)
                tar.WriteEntry(entry);
        }
        return path;
    }

    private static GnuTarEntry Folder(string name) => new(TarEntryType.Directory, name) { Mode = TarballEntry.Executable };

    private GnuTarEntry File_(string name, string source, UnixFileMode mode) =>
        new(TarEntryType.RegularFile, name) { Mode = mode, DataStream = new MemoryStream(File.ReadAllBytes(source)) };

    private string Problem(string tarball) => Assert.Throws<BuildFailedException>(() => TarballReader.Verify(tarball, _expected)).Message;

    [Fact]
    public void A_tarball_as_written_passes()
    {
        var tarball = Written(_expected);

        TarballReader.Verify(tarball, _expected);

        Assert.Equal(["t/", "t/lib/", "t/lib/libz.so.1", "t/tracer"], TarballReader.Read(tarball).Select(e => e.Name));
    }

    [Fact]
    public void A_source_that_is_a_link_is_sized_by_its_target_as_the_writer_copies_it()
    {
        var versioned = Path.Combine(_temp.Path, "libz.so.1.2.13");
        File.Move(_library, versioned);
        File.CreateSymbolicLink(_library, Path.GetFileName(versioned));

        TarballReader.Verify(Written(_expected), _expected);
    }

    [Fact]
    public void A_missing_library_is_named() =>
        Assert.Equal("t.tar.gz read back wrong: missing t/lib/libz.so.1.", Problem(Written(_expected.Where(e => !e.Name.EndsWith(".so.1")))));

    [Fact]
    public void A_file_whose_source_changed_size_is_caught()
    {
        var tarball = Written(_expected);
        File.WriteAllBytes(_library, new byte[999]);

        Assert.Equal($"t.tar.gz read back wrong: t/lib/libz.so.1 has 1,000 bytes, its source {_library} 999.", Problem(tarball));
    }

    [Fact]
    public void An_executable_without_its_mode_is_caught() =>
        Assert.Equal("t.tar.gz read back wrong: t/tracer has mode 644, expected 755.",
            Problem(Written(_expected.Select(e => e.Name == "t/tracer" ? e with { Mode = TarballEntry.Regular } : e))));

    [Fact]
    public void Two_top_folders_are_refused() =>
        Assert.StartsWith("t.tar.gz read back wrong: 2 top-level entries (t, u)",
            Problem(Written([.. _expected, TarballEntry.Folder("u")])));

    [Fact]
    public void A_dot_dot_entry_is_refused() =>
        Assert.Equal("crafted.tar.gz read back wrong: t/../evil contains '..'.",
            Problem(Crafted(Folder("t/"), File_("t/../evil", _program, TarballEntry.Regular))));

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../etc/passwd")]
    public void A_link_leading_out_of_the_top_folder_is_refused(string target) =>
        Assert.Equal($"crafted.tar.gz read back wrong: t/lib/libbpf.so links to {target}, outside t/.",
            Problem(Crafted(Folder("t/"), Folder("t/lib/"), new GnuTarEntry(TarEntryType.SymbolicLink, "t/lib/libbpf.so") { LinkName = target })));

    [Fact]
    public void A_link_inside_the_top_folder_is_only_an_unexpected_entry() =>
        Assert.Equal("crafted.tar.gz read back wrong: unexpected t/lib/libz.so.",
            Problem(Crafted(Folder("t/"), Folder("t/lib/"), File_("t/lib/libz.so.1", _library, TarballEntry.Regular), File_("t/tracer", _program, TarballEntry.Executable),
                new GnuTarEntry(TarEntryType.SymbolicLink, "t/lib/libz.so") { LinkName = "libz.so.1" })));
}
