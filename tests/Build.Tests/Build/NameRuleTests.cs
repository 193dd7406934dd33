using TracerBuild.GitHub;

namespace TracerBuild.Tests;

/// <summary>Names that become part of a URL or a path are held to GitHub's and git's rules before any request.</summary>
public sealed class NameRuleTests
{
    [Theory]
    [InlineData("acme/tracer")]
    [InlineData("a/b")]
    [InlineData("libbpf/vmlinux.h")]
    [InlineData("acme-corp/.github")]
    [InlineData("A1-b2/x_y-z.0")]
    public void Owner_names_GitHub_accepts_are_accepted(string ownerName) =>
        Assert.Equal(ownerName, GitHubRepositoryName.Resolve(ownerName, Repository.Root));

    [Theory]
    [InlineData("../evil")]
    [InlineData("acme/..")]
    [InlineData("acme/.")]
    [InlineData("-acme/tracer")]
    [InlineData("acme-/tracer")]
    [InlineData("ac--me/tracer")]
    [InlineData("ac_me/tracer")]
    [InlineData("acme/tra cer")]
    [InlineData("acme/tracer/releases")]
    [InlineData("acme")]
    [InlineData("")]
    [InlineData("a234567890123456789012345678901234567890/x")]
    public void Owner_names_GitHub_refuses_are_refused_before_any_request(string ownerName)
    {
        var error = Assert.Throws<BuildInputException>(() => GitHubRepositoryName.Resolve(ownerName, Repository.Root));

        Assert.Equal($"Invalid --github-repository '{ownerName}': expected owner/name such as acme/tracer ({GitHubRepositoryName.Rules}).", error.Message);
    }

    [Fact]
    public void A_remote_whose_owner_GitHub_would_refuse_gives_no_repository() =>
        Assert.Null(GitHubRepositoryName.FromRemoteUrl("https://github.com/../evil.git"));

    [Theory]
    [InlineData("main")]
    [InlineData("v1.2.3")]
    [InlineData("feature/new-thing")]
    [InlineData("c32912840154a82205530cd6d498b346ac73a6d1")]
    public void Refs_git_accepts_are_accepted(string gitRef) =>
        Assert.Equal(gitRef, GitRefName.Validate(gitRef, "--vmlinux-ref"));

    [Theory]
    [InlineData("../main")]
    [InlineData("a..b")]
    [InlineData(".hidden")]
    [InlineData("a/.b")]
    [InlineData("main.lock")]
    [InlineData("main.")]
    [InlineData("/main")]
    [InlineData("main/")]
    [InlineData("a//b")]
    [InlineData("a b")]
    [InlineData("a?b")]
    [InlineData("a%2F..")]
    [InlineData("a\\b")]
    [InlineData("@")]
    [InlineData("a@{1}")]
    [InlineData("")]
    public void Refs_git_refuses_are_refused(string gitRef)
    {
        var error = Assert.Throws<BuildInputException>(() => GitRefName.Validate(gitRef, "--vmlinux-ref"));

        Assert.StartsWith($"Invalid --vmlinux-ref '{gitRef}': expected a git branch, tag or commit id", error.Message);
    }
}
