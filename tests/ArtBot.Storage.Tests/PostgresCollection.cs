namespace ArtBot.Storage.Tests;

/// <summary>One cluster for every PostgreSQL test of this assembly.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}
