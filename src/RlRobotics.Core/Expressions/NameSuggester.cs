namespace RlRobotics.Core.Expressions;

/// <summary>Picks the closest candidate to a misspelt name (edit distance), for "did you mean …?" hints.</summary>
public static class NameSuggester
{
    /// <summary>The candidate closest to <paramref name="wrong"/>, or null when none is close.</summary>
    public static string? Suggest(string wrong, IEnumerable<string>? candidates)
    {
        if (candidates is null) return null;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = Distance(wrong.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance || (d == bestDistance && best is not null && string.CompareOrdinal(c, best) < 0))
                (best, bestDistance) = (c, d);
        }
        return best is not null && bestDistance <= Math.Max(1, wrong.Length / 3) && bestDistance < wrong.Length ? best : null;
    }

    /// <summary>Levenshtein distance.</summary>
    internal static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
