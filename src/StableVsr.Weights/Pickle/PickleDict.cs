namespace StableVsr.Weights.Pickle;

/// <summary>A Python dict or <c>collections.OrderedDict</c> from a pickle, keeping insertion order.</summary>
internal sealed class PickleDict
{
    private readonly Dictionary<object, int> index = [];

    /// <summary>The entries in insertion order (a repeated key replaces the value in place, as in Python).</summary>
    public List<KeyValuePair<object, object?>> Entries { get; } = [];

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public void Set(object key, object? value)
    {
        if (index.TryGetValue(key, out var at))
        {
            Entries[at] = new(key, value);
        }
        else
        {
            index[key] = Entries.Count;
            Entries.Add(new(key, value));
        }
    }
}
