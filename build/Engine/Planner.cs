namespace Engine;

/// <summary>Which targets a request schedules, and in which order they run.</summary>
internal sealed class Planner(IReadOnlyList<TargetDefinition> targets)
{
    public TargetDefinition Find(string name) =>
        targets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new BuildInputException($"Unknown target '{name}'.{DidYouMean(name)} Targets: {string.Join(", ", targets.Select(t => t.Name))}.");

    public TargetDefinition Resolve(Target target) => targets.Single(t => t.IsDeclaredBy(target));

    /// <summary>The requested targets and what they depend on, ordered so that every target comes after its dependencies.</summary>
    public IReadOnlyList<TargetDefinition> Plan(IEnumerable<TargetDefinition> requested)
    {
        var scheduled = new List<TargetDefinition>();
        foreach (var target in requested)
            Schedule(target);

        var order = new List<TargetDefinition>();
        var path = new List<TargetDefinition>();
        foreach (var target in scheduled)
            Visit(target);
        return order;

        void Schedule(TargetDefinition target)
        {
            if (scheduled.Contains(target))
                return;
            scheduled.Add(target);
            foreach (var next in target.Dependencies)
                Schedule(Resolve(next));
        }

        void Visit(TargetDefinition target)
        {
            if (order.Contains(target))
                return;
            if (path.Contains(target))
            {
                var cycle = path.SkipWhile(t => t != target).Append(target).Select(t => t.Name);
                throw new BuildInputException($"Targets depend on each other in a cycle: {string.Join(" -> ", cycle)}.");
            }
            path.Add(target);
            foreach (var first in target.Dependencies.Select(Resolve))
                Visit(first);
            path.RemoveAt(path.Count - 1);
            order.Add(target);
        }
    }

    /// <summary>Everything a target needs to have succeeded, through its dependencies' dependencies.</summary>
    public IReadOnlySet<TargetDefinition> Needs(TargetDefinition target)
    {
        var needs = new HashSet<TargetDefinition>();
        var pending = new Stack<TargetDefinition>([target]);
        while (pending.TryPop(out var next))
        {
            foreach (var dependency in next.Dependencies.Select(Resolve))
            {
                if (needs.Add(dependency))
                    pending.Push(dependency);
            }
        }
        return needs;
    }

    private string DidYouMean(string name)
    {
        var closest = targets.Select(t => (t.Name, Distance: Distance(name.ToLowerInvariant(), t.Name.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        return closest is null ? "" : $" Did you mean {closest}?";
    }

    /// <summary>Levenshtein distance: edits turning one name into the other.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
