namespace StableVsr.Cli.Commands;

/// <summary>Turns a StableVsr exception into a message on standard error and the command's exit code.</summary>
internal static class CommandFailures
{
    public static int Report(StableVsrException exception)
    {
        if (exception is UpscaleCanceledException)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("Cancelled: " + exception.Message);
            return ExitCodes.Canceled;
        }

        Console.Error.WriteLine("error: " + exception.Message);
        return exception switch
        {
            InvalidInputException => ExitCodes.InvalidInput,
            ModelLoadException => ExitCodes.ModelError,
            NativeBackendException => ExitCodes.BackendError,
            StableVsr.Orleans.ClusterUnavailableException => ExitCodes.ClusterUnavailable,
            _ => ExitCodes.ModelError,
        };
    }
}
