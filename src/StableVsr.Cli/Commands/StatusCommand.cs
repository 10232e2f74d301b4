using System.CommandLine;

namespace StableVsr.Cli.Commands;

/// <summary><c>stablevsr status</c>: shows a job of a cluster (or lists the unfinished jobs), optionally following it.</summary>
internal static class StatusCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var cluster = ClusterCommandSupport.ClusterOption();
        var job = new Argument<string?>("JOB") { Description = "The job id (as submit printed it); none lists the unfinished jobs.", Arity = ArgumentArity.ZeroOrOne };
        var follow = new Option<bool>("--follow", "-f") { Description = "Follow the job with a progress bar until it finishes." };
        var cancel = new Option<bool>("--cancel") { Description = "Cancel the job (committed outputs stay)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log the client's connection." };
        var command = new Command("status", "Show a cluster job, or list the unfinished ones.") { cluster, job, follow, cancel, verbose };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                return await ClusterCommandSupport.WithClientAsync(
                    result.GetValue(cluster)!,
                    result.GetValue(verbose),
                    async client =>
                    {
                        if (result.GetValue(job) is not { } id)
                        {
                            foreach (var unfinished in await client.GetUnfinishedJobsAsync(cancellationToken).ConfigureAwait(false))
                            {
                                Console.Out.WriteLine(unfinished);
                            }

                            return ExitCodes.Ok;
                        }

                        try
                        {
                            if (result.GetValue(cancel))
                            {
                                ClusterCommandSupport.Print(Console.Out, await client.CancelAsync(id, cancellationToken).ConfigureAwait(false));
                                return ExitCodes.Ok;
                            }

                            if (result.GetValue(follow))
                            {
                                return await SubmitCommand.FollowAsync(client, id, cancellationToken).ConfigureAwait(false);
                            }

                            var status = await client.GetStatusAsync(id, cancellationToken).ConfigureAwait(false);
                            ClusterCommandSupport.Print(Console.Out, status);
                            return status.IsFinished ? ClusterCommandSupport.ExitCodeOf(status) : ExitCodes.Ok;
                        }
                        catch (InvalidInputException e)
                        {
                            // An unknown job: lost with a reset store (exit 7, saying so), or never submitted.
                            return await ClusterCommandSupport.ReportLostAsync(result.GetValue(cluster)!, id).ConfigureAwait(false) ?? CommandFailures.Report(e);
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (StableVsrException e)
            {
                return CommandFailures.Report(e);
            }
        });
        return command;
    }
}
