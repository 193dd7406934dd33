using System.Xml.Linq;

namespace TracerBuild.Test;

/// <summary>Test totals read from VSTest .trx files, printed as the closing line CI reads.</summary>
public sealed record TestCounts(int Passed, int Failed, int Skipped)
{
    public static TestCounts FromTrx(IEnumerable<string> trxFiles)
    {
        var counters = trxFiles
            .Select(f => XDocument.Load(f).Descendants().Single(e => e.Name.LocalName == "Counters"))
            .ToList();
        // VSTest counts xunit's skipped tests in total but not in executed (its notExecuted counter stays 0).
        return new TestCounts(Sum("passed"), Sum("failed") + Sum("error") + Sum("timeout") + Sum("aborted"), Sum("total") - Sum("executed"));

        int Sum(string attribute) => counters.Sum(c => int.Parse(c.Attribute(attribute)?.Value ?? "0"));
    }

    public override string ToString() => $"{Passed} passed, {Failed} failed, {Skipped} skipped";
}
