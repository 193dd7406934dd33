namespace Tracer.Bpf;

/// <summary>
/// One way a capability's events can be caught: its name (as printed, and as the forcing variable takes it), what it
/// hooks, and why a kernel cannot take it (null when it can).
/// </summary>
internal sealed record Hook<T>(T Kind, string Name, string Description, Func<string?> Unavailable) where T : struct, Enum;

/// <summary>
/// The hook a capability took, and why. <see cref="Forced"/>: its variable asked for it, so there is no fallback;
/// <see cref="FellBack"/>: the preferred hook was taken but did not load or attach.
/// </summary>
internal sealed record HookChoice<T>(Hook<T> Hook, string Reason, bool Forced = false, bool FellBack = false) where T : struct, Enum
{
    public T Kind => Hook.Kind;

    /// <summary>As doctor and monitor print it: <c>via kprobe (on inet_stream_connect)</c>.</summary>
    public string Via => $"via {Hook.Name} ({Reason})";
}

/// <summary>
/// A capability's hooks, the preferred first, and the variable that forces one (so that each can be tested on a
/// kernel that offers several): unset, the first hook this kernel can take; set, that hook or one line saying why not.
/// </summary>
internal sealed class HookSet<T>(string capability, string variable, params Hook<T>[] preferenceOrder) where T : struct, Enum
{
    public string Capability => capability;

    public string Variable => variable;

    /// <summary>True when the variable asks for a hook.</summary>
    public bool Forced => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable));

    public Hook<T> this[T kind] => preferenceOrder.Single(h => EqualityComparer<T>.Default.Equals(h.Kind, kind));

    public HookChoice<T> Choose()
    {
        var forced = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(forced))
            return Preferred();
        var hook = preferenceOrder.FirstOrDefault(h => h.Name == forced)
            ?? throw new TracerException($"{variable} takes {string.Join(" or ", preferenceOrder.Select(h => h.Name))}, not '{forced}'");
        return hook.Unavailable() is { } why
            ? throw new TracerException($"{variable}={forced}, but {why}; unset it to use {Preferred().Hook.Name}")
            : new(hook, $"{hook.Description}, {variable}={forced}", Forced: true);
    }

    /// <summary>The choice after the preferred hook failed to load or attach: the next one, saying why.</summary>
    public HookChoice<T> After(HookChoice<T> failed, string why)
    {
        var next = preferenceOrder.SkipWhile(h => !EqualityComparer<T>.Default.Equals(h.Kind, failed.Kind)).Skip(1)
            .FirstOrDefault(h => h.Unavailable() is null) ?? throw new TracerException(why);
        return new(next, $"the {failed.Hook.Name} hook failed: {why}", FellBack: true);
    }

    /// <summary>Why this kernel offers the capability no hook at all, or null when it offers one.</summary>
    public string? NoHook()
    {
        var why = preferenceOrder.Select(h => h.Unavailable()).ToList();
        return why.All(w => w is not null) ? string.Join("; ", why.Distinct()) : null;
    }

    /// <summary>The first hook this kernel can take; the reason names why those before it could not be taken.</summary>
    private HookChoice<T> Preferred()
    {
        var passedOver = new List<string>();
        foreach (var hook in preferenceOrder)
        {
            if (hook.Unavailable() is not { } why)
                return new(hook, passedOver.Count == 0 ? hook.Description : string.Join("; ", passedOver));
            passedOver.Add(why);
        }
        throw new TracerException($"no way to trace {capability} on this kernel: {string.Join("; ", passedOver.Distinct())}");
    }
}
