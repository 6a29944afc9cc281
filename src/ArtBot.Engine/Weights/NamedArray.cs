namespace ArtBot.Engine.Weights;

/// <summary>One named float32 variable, in the layout of the framework that wrote it.</summary>
public sealed record NamedArray(string Name, long[] Shape, float[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public override string ToString() => $"{Name} [{string.Join(",", Shape)}]";
}
