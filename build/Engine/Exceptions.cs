namespace Engine;

/// <summary>Bad input from the user (arguments, parameters, configuration files): reported in one line before any work.</summary>
public sealed class BuildInputException(string message) : Exception(message);

/// <summary>A target could not do its work; the message is the one line the user sees.</summary>
public sealed class BuildFailedException(string message) : Exception(message);
