namespace RlRobotics.Learning.Nn;

/// <summary>
/// An MLP's (or an ensemble of identical MLPs') shape: layer sizes from input to output, the hidden activation and the
/// output activation. <see cref="Members"/> &gt; 1 makes a batched ensemble whose weights are [E, in, out].
/// </summary>
public sealed record MlpShape(int Members, int[] Sizes, Activation Hidden, Activation Output = Activation.Identity)
{
    public int InputSize => Sizes[0];
    public int OutputSize => Sizes[^1];
    public int Layers => Sizes.Length - 1;
    public int MaxWidth => Sizes.Max();

    /// <summary>Multiply-adds per sample per member in the forward pass.</summary>
    public long MacsPerSample => Enumerable.Range(0, Layers).Sum(l => (long)Sizes[l] * Sizes[l + 1]);

    public void Validate()
    {
        if (Members < 1) throw new ArgumentException("an MLP needs at least one member");
        if (Sizes is null || Sizes.Length < 2 || Sizes.Any(s => s < 1)) throw new ArgumentException("an MLP needs at least an input and an output size, all ≥ 1");
    }

    public override string ToString() => $"{(Members > 1 ? $"{Members} × " : "")}{string.Join(" → ", Sizes)} {Hidden.ToString().ToLowerInvariant()}";
}
