namespace TracerBuild.Tests;

public sealed record FakeRelease(long Id, string Tag, bool Draft, bool Prerelease, List<FakeAsset> Assets);
