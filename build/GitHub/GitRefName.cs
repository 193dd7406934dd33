using System.Text.RegularExpressions;

namespace TracerBuild.GitHub;

/// <summary>
/// A branch, tag or commit named by the user, held to git's own rules (git check-ref-format) before it becomes part of a
/// URL or a path: no "..", no component starting with '.', no control characters, spaces or ~^:?*[\, and the like.
/// </summary>
public static partial class GitRefName
{
    public static string Validate(string gitRef, string source) =>
        IsValid(gitRef)
            ? gitRef
            : throw new BuildInputException($"Invalid {source} '{gitRef}': expected a git branch, tag or commit id such as main, v1.2.3 or a 40-character hex id (git check-ref-format rules: no '..', no component starting with '.', no spaces or ~^:?*[\\).");

    public static bool IsValid(string gitRef) =>
        gitRef.Length is > 0 and <= 255
        && gitRef != "@"
        && !gitRef.Contains("..", StringComparison.Ordinal)
        && !gitRef.Contains("@{", StringComparison.Ordinal)
        && !gitRef.EndsWith('.')
        && gitRef.Split('/').All(c => c.Length > 0 && !c.StartsWith('.') && !c.EndsWith(".lock", StringComparison.Ordinal))
        && Characters().IsMatch(gitRef);

    // Printable ASCII but space and ~^:?*[\; git allows more bytes, but no ref this build is given needs them.
    [GeneratedRegex(@"^[!-~-[~^:?*\[\\]]+$")]
    private static partial Regex Characters();
}
