using System.Text;

namespace TracerBuild.Tests;

public sealed record FakeAsset(long Id, string Name, string ContentType, string State, byte[] Bytes)
{
    public string Text => Encoding.UTF8.GetString(Bytes);
}
