using System.Text;

namespace Engine;

/// <summary>How a member name such as <c>VmlinuxMirror</c> is spelled on the command line and in the environment.</summary>
public static class Naming
{
    public static string Kebab(string memberName) => Split(memberName, '-').ToLowerInvariant();

    public static string UpperSnake(string memberName) => Split(memberName, '_').ToUpperInvariant();

    private static string Split(string memberName, char separator)
    {
        var result = new StringBuilder();
        for (var i = 0; i < memberName.Length; i++)
        {
            if (i > 0 && char.IsUpper(memberName[i]) && !char.IsUpper(memberName[i - 1]))
                result.Append(separator);
            result.Append(memberName[i]);
        }
        return result.ToString();
    }
}
