return await StableVsr.Cli.StableVsrCommand.RunAsync(args).ConfigureAwait(false);
