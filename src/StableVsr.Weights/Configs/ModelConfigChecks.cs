namespace StableVsr.Weights.Configs;

/// <summary>Consistency checks shared by the model config records, for configs read from files or built in code.</summary>
internal static class ModelConfigChecks
{
    /// <summary>Every block width must split into the normalization groups and, where given, into the attention heads.</summary>
    public static void CheckChannels(string? source, IReadOnlyList<int> blockOutChannels, int groups, IReadOnlyList<int>? headsPerBlock)
    {
        CheckPositive(source, "norm_num_groups", groups);
        for (var i = 0; i < blockOutChannels.Count; i++)
        {
            var channels = blockOutChannels[i];
            CheckPositive(source, "block_out_channels", channels);
            if (channels % groups != 0)
            {
                throw new ConfigException($"Config '{source}': block_out_channels[{i}] = {channels} is not divisible by norm_num_groups = {groups}.", source, "block_out_channels");
            }

            if (headsPerBlock is null)
            {
                continue;
            }

            var heads = headsPerBlock[i];
            CheckPositive(source, "attention_head_dim", heads);
            if (channels % heads != 0)
            {
                throw new ConfigException($"Config '{source}': block_out_channels[{i}] = {channels} is not divisible into {heads} attention heads (attention_head_dim is diffusers' number of heads).", source, "attention_head_dim");
            }
        }
    }

    /// <summary>Refuses zero or negative sizes.</summary>
    public static void CheckPositive(string? source, string key, int value)
    {
        if (value <= 0)
        {
            throw new ConfigException($"Config '{source}': '{key}' has value {value}; it must be positive.", source, key);
        }
    }

    /// <summary>Refuses even kernels, whose 'same' padding diffusers computes as (k - 1) / 2 and which would shift the image.</summary>
    public static void CheckOddKernel(string? source, string key, int value)
    {
        CheckPositive(source, key, value);
        if (value % 2 == 0)
        {
            throw new UnsupportedConfigException(key, value, source, "Only odd kernel sizes keep the sample size; even ones are not implemented.");
        }
    }

    /// <summary>Refuses a per-block list whose length is not the number of blocks in 'down_block_types'.</summary>
    public static void CheckPerBlockCount(string? source, string key, int count, int blocks)
    {
        if (count != blocks)
        {
            throw new ConfigException($"Config '{source}': '{key}' has {count} values; expected one per block of 'down_block_types' ({blocks}).", source, key);
        }
    }

    /// <summary>Refuses a class-embedding count that is set but not positive.</summary>
    public static void CheckClassEmbeds(string? source, int? numClassEmbeds)
    {
        if (numClassEmbeds is <= 0)
        {
            throw new ConfigException($"Config '{source}': 'num_class_embeds' is {numClassEmbeds}; it must be positive or null.", source, "num_class_embeds");
        }
    }
}
