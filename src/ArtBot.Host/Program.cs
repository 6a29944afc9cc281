using ArtBot.Host.Cli;

return await CommandLine.RunAsync(args);
