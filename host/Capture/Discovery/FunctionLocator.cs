using Iced.Intel;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// Finds the function an instruction belongs to in a stripped binary: from the unwind tables when they cover it,
/// otherwise by reading the code backwards for a function start from which decoding lands exactly on the instruction.
/// </summary>
/// <remarks>
/// The fallback looks, nearest first, at 16-byte-aligned addresses (compilers align functions so) that begin with the
/// frame-pointer prologue <c>push rbp; mov rbp,rsp</c>, then at those right after <c>int3</c> padding. A candidate
/// counts only if a linear decode from it reaches the instruction exactly: a start in the middle of another
/// instruction, or in data, drifts off the instruction stream.
/// </remarks>
internal sealed class FunctionLocator(ElfImage elf)
{
    /// <summary>How far before an instruction its function's start is looked for.</summary>
    public const int MaxDistance = 64 * 1024;

    /// <summary>How much of a function is decoded when its end is not known.</summary>
    public const int MaxLength = 64 * 1024;

    private static readonly byte[] FramePrologue = [0x55, 0x48, 0x89, 0xe5];

    private readonly EhFrameIndex? _unwind = EhFrameIndex.Read(elf);
    private readonly Dictionary<ulong, FunctionCode> _decoded = [];

    /// <summary>True when the file has unwind tables this can read.</summary>
    public bool HasUnwindTables => _unwind is not null;

    /// <summary>The start of the function that contains the instruction at <paramref name="address"/>, or null.</summary>
    public ulong? StartOf(ulong address)
    {
        if (_unwind?.FunctionAt(address) is { } known && Reaches(known.Start, address))
        {
            return known.Start;
        }
        var lowest = address > MaxDistance ? address - MaxDistance : 0;
        ulong? afterPadding = null;
        for (var candidate = address & ~0xfUL; candidate >= lowest && candidate > 0; candidate -= 16)
        {
            var head = elf.At(candidate, 4);
            if (head.Length < 4)
            {
                break;
            }
            if (head.SequenceEqual(FramePrologue))
            {
                if (Reaches(candidate, address))
                {
                    return candidate;
                }
                continue;
            }
            if (afterPadding is null && head[0] != 0xcc && elf.At(candidate - 1, 1) is [0xcc] && Reaches(candidate, address))
            {
                afterPadding = candidate;
            }
        }
        return afterPadding;
    }

    /// <summary>The instructions of the function starting at <paramref name="start"/>, decoded once.</summary>
    public FunctionCode Code(ulong start)
    {
        if (_decoded.TryGetValue(start, out var cached))
        {
            return cached;
        }
        var end = _unwind?.FunctionAt(start) is { } known && known.Start == start ? known.End : (ulong?)null;
        var decoder = elf.Decode(start, end is { } e ? (int)Math.Min(e - start, MaxLength) : MaxLength);
        var instructions = new List<Instruction>();
        var afterUnconditional = false;
        while (decoder.IP < start + (ulong)MaxLength)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid || (end is null && afterUnconditional && instruction.Code == Iced.Intel.Code.Int3))
            {
                // Without unwind tables, int3 padding after an unconditional branch is where the next function begins.
                break;
            }
            instructions.Add(instruction);
            var flow = instruction.FlowControl;
            afterUnconditional = flow is FlowControl.Return or FlowControl.UnconditionalBranch or FlowControl.IndirectBranch || instruction.Code == Iced.Intel.Code.Ud2;
            if (end is { } stop && decoder.IP >= stop)
            {
                break;
            }
        }
        var code = new FunctionCode(start, instructions);
        _decoded[start] = code;
        return code;
    }

    private bool Reaches(ulong start, ulong address)
    {
        var decoder = elf.Decode(start, (int)Math.Min(address - start + 16, MaxDistance + 16));
        while (decoder.IP < address)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid)
            {
                return false;
            }
        }
        return decoder.IP == address;
    }
}

/// <summary>A function's decoded instructions, from its start to its end (or the first padding after a branch).</summary>
internal sealed class FunctionCode(ulong start, List<Instruction> instructions)
{
    public ulong Start { get; } = start;

    public IReadOnlyList<Instruction> Instructions { get; } = instructions;

    /// <summary>The index of the instruction at <paramref name="address"/>, or -1.</summary>
    public int IndexOf(ulong address)
    {
        int low = 0, high = instructions.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var ip = instructions[middle].IP;
            if (ip == address)
            {
                return middle;
            }
            if (ip < address)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return -1;
    }

    /// <summary>True when the function calls <paramref name="target"/> directly.</summary>
    public bool Calls(ulong target) => instructions.Any(i => i.FlowControl == FlowControl.Call && i.IsCallNear && i.NearBranchTarget == target);

    /// <summary>The targets of the function's direct calls.</summary>
    public IEnumerable<ulong> CallTargets() => instructions.Where(i => i.FlowControl == FlowControl.Call && i.IsCallNear).Select(i => i.NearBranchTarget);
}
