using StableVsr.Cli;

return await StableVsrCommand.RunAsync(args).ConfigureAwait(false);
