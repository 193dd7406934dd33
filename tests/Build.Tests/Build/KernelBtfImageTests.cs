using TracerBuild.Bpf;
using TracerBuild.KernelBtf;

namespace TracerBuild.Tests;

/// <summary>Finding the BTF in kernel images made in the test: a raw arm64-like Image, and x86 bzImages of both payload formats.</summary>
public sealed class KernelBtfImageTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_valid_header_in_random_bytes_gives_exactly_its_blob_past_a_decoy_magic()
    {
        var btf = SyntheticKernel.Btf();
        var image = SyntheticKernel.RawImage(btf, offset: 70_001, length: 200_000);
        // As in Debian's arm64 5.10 Image: the magic once more, in bytes that are no header (hdr_len 1).
        SyntheticKernel.Header(image.AsSpan(1_000), typeLength: 2, stringLength: 3, headerLength: 1);

        var carved = BtfBlob.Carve(image, "Image");

        Assert.Equal(btf, carved);
        Assert.Equal(("int", 4, true), Btf.Parse(carved, "carved").Types[1] is var t ? (t.Name, t.Size, t.Signed) : default);
    }

    [Fact]
    public void A_header_whose_sections_run_past_the_end_is_reported_as_truncated()
    {
        var btf = SyntheticKernel.Btf();
        var image = SyntheticKernel.RawImage(btf, offset: 500, length: 10_000)[..(500 + btf.Length - 3)];

        var error = Assert.Throws<BuildFailedException>(() => BtfBlob.Carve(image, "Image"));

        Assert.Equal($"Image: the BTF header at offset 500 describes {btf.Length} bytes, but only {btf.Length - 3} follow (the image is truncated).", error.Message);
    }

    [Fact]
    public void An_image_without_btf_says_what_that_means()
    {
        var error = Assert.Throws<BuildFailedException>(() => BtfBlob.Carve(SyntheticKernel.RawImage([], 0, 10_000), "Image"));

        Assert.StartsWith("Image: no BTF header in it; the kernel was built without CONFIG_DEBUG_INFO_BTF", error.Message);
    }

    [Fact]
    public void Two_complete_blobs_are_not_guessed_between()
    {
        var btf = SyntheticKernel.Btf();
        var image = SyntheticKernel.RawImage(btf, offset: 100, length: 10_000);
        btf.CopyTo(image, 5_000);

        var error = Assert.Throws<BuildFailedException>(() => BtfBlob.Carve(image, "Image"));

        Assert.Equal("Image: 2 BTF headers, at offsets 100, 5000; which one is the kernel's is unclear.", error.Message);
    }

    [Theory]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public void A_bzImage_gives_the_btf_section_of_its_compressed_vmlinux(string format)
    {
        var btf = SyntheticKernel.Btf();
        var image = Write(SyntheticKernel.BzImage(SyntheticKernel.Payload(format, SyntheticKernel.ElfWith(btf, _temp.Path), _temp.Path)));

        Assert.Equal(btf, KernelImage.Btf(image, Work()));
    }

    [Fact]
    public void A_payload_that_decompresses_to_another_size_than_the_image_says_is_refused()
    {
        var vmlinux = SyntheticKernel.ElfWith(SyntheticKernel.Btf(), _temp.Path);
        var image = Write(SyntheticKernel.BzImage(SyntheticKernel.Payload("zstd", vmlinux, _temp.Path, size: 12345)));

        var error = Assert.Throws<BuildFailedException>(() => KernelImage.Btf(image, Work()));

        Assert.Equal($"vmlinuz-test: its zstd payload decompressed to {vmlinux.Length} bytes, where the image says 12345.", error.Message);
    }

    [Fact]
    public void A_payload_format_the_build_does_not_know_is_named_with_those_it_does()
    {
        var image = Write(SyntheticKernel.BzImage([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]));

        var error = Assert.Throws<BuildFailedException>(() => KernelImage.Btf(image, Work()));

        Assert.Equal("vmlinuz-test: its payload starts with 1f8b0800, which is none of lz4 (02214c18), zstd (28b52ffd).", error.Message);
    }

    private AbsolutePath Write(byte[] image)
    {
        var path = AbsolutePath.Of(Path.Combine(_temp.Path, "vmlinuz-test"));
        File.WriteAllBytes(path, image);
        return path;
    }

    private AbsolutePath Work() => AbsolutePath.Of(Directory.CreateDirectory(Path.Combine(_temp.Path, "work")).FullName);
}
