namespace TracerBuild.Tests;

/// <summary>A PATH folder holding links to just the named tools: a machine without dotnet, as far as a script can tell.</summary>
public static class ToolFolder
{
    public static string Create(string parent, params string[] tools)
    {
        var folder = Directory.CreateDirectory(Path.Combine(parent, "tools")).FullName;
        foreach (var tool in tools)
        {
            var link = Path.Combine(folder, tool);
            if (!File.Exists(link))
                File.CreateSymbolicLink(link, Programs.Run("/bin/sh", ["-c", $"command -v {tool}"], echo: false).Output.Trim());
        }
        return folder;
    }
}
