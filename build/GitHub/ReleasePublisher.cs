using Octokit;

namespace TracerBuild.GitHub;

/// <summary>
/// Makes the GitHub release of a tag hold the given files (creating it as a draft if need be), then publishes it.
/// Idempotent: an asset already there with the same bytes is left alone, a different one is replaced.
/// </summary>
public sealed class ReleasePublisher(GitHubApi github)
{
    private const int UploadAttempts = 3;

    public Release Publish(string tag, bool prerelease, IReadOnlyList<string> files)
    {
        var release = Find(tag);
        if (release is null)
        {
            try
            {
                release = github.CreateDraftRelease(tag, prerelease);
                Log.Line($"Created draft release {tag}");
            }
            catch (GitHubAlreadyExistsException)
            {
                // A retried create whose first attempt reached GitHub though its answer was lost.
                release = Find(tag) ?? throw new BuildFailedException($"GitHub says release {tag} exists, yet does not list it.");
                Log.Line($"Found draft release {tag} created by a retried request");
            }
        }
        else
        {
            Log.Line($"Found {(release.Draft ? "draft" : "published")} release {tag}");
        }

        var assets = github.ListAssets(release.Id);
        foreach (var file in files)
            Put(release, assets, file);

        if (!release.Draft)
            return release;
        release = github.PublishRelease(release.Id);
        Log.Line($"Published release {tag}");
        return release;
    }

    /// <summary>releases/tags/{tag} only finds published releases; a draft left by an earlier run is found by listing them all.</summary>
    private Release? Find(string tag) => github.ListReleases().FirstOrDefault(r => r.TagName == tag);

    private void Put(Release release, IReadOnlyList<GitHubAsset> assets, string file)
    {
        var name = Path.GetFileName(file);
        var local = new LocalAsset(new FileInfo(file).Length, Sha256.OfFile(file));
        for (var attempt = 1; ; attempt++)
        {
            var existing = assets.FirstOrDefault(a => a.Name == name);
            if (existing is not null && local.IsSameAs(existing))
            {
                Log.Line($"Unchanged {name}");
                return;
            }
            if (existing is not null)
            {
                github.DeleteAsset(existing.Id);
                Log.Line($"Deleted the old {name}");
            }
            try
            {
                github.UploadAsset(release, file, ContentType(name));
                Log.Line($"Uploaded {name} ({local.Size:N0} bytes)");
                return;
            }
            catch (GitHubAlreadyExistsException) when (attempt < UploadAttempts)
            {
                // An earlier attempt reached GitHub though its answer was lost, or another run uploaded it: look again.
                assets = github.ListAssets(release.Id);
            }
        }
    }

    private static string ContentType(string name) =>
        name.EndsWith(".tar.gz", StringComparison.Ordinal) ? "application/gzip" : "text/plain";

    private sealed record LocalAsset(long Size, string Sha256)
    {
        /// <summary>GitHub reports an asset's sha256 as its digest; where it has none (older servers), the size has to do.</summary>
        public bool IsSameAs(GitHubAsset asset) =>
            asset.State == "uploaded" && asset.Size == Size && (asset.Digest is null || asset.Digest == $"sha256:{Sha256}");
    }
}
