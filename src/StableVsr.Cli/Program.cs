using StableVsr.Cli;

NativeLogLevel.QuietUnlessAsked();
return await StableVsrCommand.RunAsync(args).ConfigureAwait(false);
