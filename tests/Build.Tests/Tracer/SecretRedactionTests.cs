using Tracer.Output;

namespace TracerBuild.Tests;

/// <summary>The tracer hides secrets in exec events' argv and environment (src/Tracer/Output/SecretRedaction.cs).</summary>
public sealed class SecretRedactionTests
{
    [Theory]
    [InlineData("TOKEN")]
    [InlineData("api_token")]
    [InlineData("GitHub_Token_2")]
    [InlineData("SECRET")]
    [InlineData("client_secret")]
    [InlineData("AWS_SECRET_ACCESS_KEY")]
    [InlineData("PASSWORD")]
    [InlineData("pgpassword")]
    [InlineData("Db_Password_File")]
    [InlineData("PASSWD")]
    [InlineData("ldap_passwd")]
    [InlineData("KEY")]
    [InlineData("--api-key")]
    [InlineData("sshKeyPath")]
    [InlineData("CREDENTIAL")]
    [InlineData("google_application_credentials")]
    [InlineData("AUTH")]
    [InlineData("SSH_AUTH_SOCK")]
    [InlineData("-Dauth.key")]
    public void A_name_containing_a_secret_word_in_any_case_looks_secret(string name) =>
        Assert.True(SecretRedaction.LooksSecret(name));

    [Theory]
    [InlineData("PATH")]
    [InlineData("HOME")]
    [InlineData("LANG")]
    [InlineData("TERM")]
    [InlineData("USER")]
    [InlineData("--verbose")]
    [InlineData("")]
    public void Other_names_do_not(string name) => Assert.False(SecretRedaction.LooksSecret(name));

    [Theory]
    [InlineData("API_TOKEN=abc", "API_TOKEN=***")]
    [InlineData("github_token=ghp_abc", "github_token=***")]
    [InlineData("AWS_SECRET_ACCESS_KEY=abc", "AWS_SECRET_ACCESS_KEY=***")]
    [InlineData("PGPASSWORD=hunter2", "PGPASSWORD=***")]
    [InlineData("SSH_AUTH_SOCK=/tmp/ssh-x/agent.1", "SSH_AUTH_SOCK=***")]
    [InlineData("--password=abc", "--password=***")]
    [InlineData("--api-token=abc", "--api-token=***")]
    [InlineData("-Dauth.key=abc", "-Dauth.key=***")]
    [InlineData("TOKEN=a=b", "TOKEN=***")]
    public void An_assignment_to_a_secret_name_keeps_the_name_and_hides_the_value(string entry, string expected) =>
        Assert.Equal(expected, SecretRedaction.RedactAssignment(entry));

    [Theory]
    [InlineData("PATH=/usr/bin")]
    [InlineData("HOME=/root")]
    [InlineData("LANG=C.UTF-8")]
    [InlineData("PATH=/opt/token/bin")] // only the name counts
    [InlineData("-Dfoo=bar")]
    [InlineData("TOKEN=")] // nothing to hide
    [InlineData("--password")]
    [InlineData("token")]
    [InlineData("=TOKEN")]
    [InlineData("")]
    public void Anything_else_is_returned_as_the_same_instance(string entry) =>
        Assert.Same(entry, SecretRedaction.RedactAssignment(entry));

    [Theory]
    [InlineData("env API_TOKEN=abc cmd", "env API_TOKEN=*** cmd")]
    [InlineData("cli --password=abc db", "cli --password=*** db")]
    [InlineData("java -Dauth.key=abc -jar app.jar", "java -Dauth.key=*** -jar app.jar")]
    [InlineData("mysql --password hunter2 db", "mysql --password *** db")]
    [InlineData("cli --token abc", "cli --token ***")]
    [InlineData("cli -password abc", "cli -password ***")]
    [InlineData("cli --api-key abc --verbose", "cli --api-key *** --verbose")]
    [InlineData("cli --password --token abc", "cli --password *** ***")] // either may be the password's value
    [InlineData("mysql db --password", "mysql db --password")] // last: nothing to replace
    [InlineData("grep -r token /etc", "grep -r token /etc")] // a word, not an option
    [InlineData("cat /run/secrets/db", "cat /run/secrets/db")]
    [InlineData("--token abc", "--token abc")] // args[0] is the program
    [InlineData("API_TOKEN=abc cmd", "API_TOKEN=abc cmd")]
    [InlineData("cli", "cli")]
    public void Arguments_hide_assigned_secrets_and_the_value_after_a_secret_option(string argv, string expected)
    {
        var args = argv.Split(' ');

        SecretRedaction.RedactArguments(args);

        Assert.Equal(expected, string.Join(' ', args));
    }

    [Fact]
    public void Arguments_without_secrets_stay_the_same_instances()
    {
        string[] original = ["ls", "-la", "--color=auto", "/tmp", "PATH=/usr/bin"];
        var args = original.ToList();

        SecretRedaction.RedactArguments(args);

        Assert.All(original.Zip(args), pair => Assert.Same(pair.First, pair.Second));
    }

    [Fact]
    public void An_empty_value_after_a_secret_option_stays_empty()
    {
        string[] args = ["mysql", "--password", ""];

        SecretRedaction.RedactArguments(args);

        Assert.Equal(["mysql", "--password", ""], args);
    }

    [Fact]
    public void No_arguments_is_nothing_to_do() => SecretRedaction.RedactArguments([]);

    [Fact]
    public void The_environment_hides_secret_values_and_keeps_the_rest()
    {
        string[] env = ["PATH=/usr/bin", "HOME=/root", "LANG=C.UTF-8", "API_TOKEN=abc", "PGPASSWORD=", "TOKEN", "LANGUAGE=en"];
        var original = (string[])env.Clone();

        SecretRedaction.RedactEnvironment(env);

        // No option rule in the environment: "TOKEN" without '=' does not hide the entry after it.
        Assert.Equal(["PATH=/usr/bin", "HOME=/root", "LANG=C.UTF-8", "API_TOKEN=***", "PGPASSWORD=", "TOKEN", "LANGUAGE=en"], env);
        Assert.All(new[] { 0, 1, 2, 4, 5, 6 }, i => Assert.Same(original[i], env[i]));
    }
}
