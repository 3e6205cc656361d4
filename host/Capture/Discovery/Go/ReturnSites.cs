using Iced.Intel;

namespace AgentSight.Host.Capture.Discovery.Go;

/// <summary>
/// The addresses of a Go function's <c>RET</c> instructions: where to put plain uprobes to see what it returned.
/// </summary>
/// <remarks>
/// <para>
/// A uretprobe replaces the return address on the stack with a trampoline; Go moves goroutine stacks (copying them
/// to grow or shrink) and walks them for the garbage collector and tracebacks, and a rewritten return address breaks
/// both, crashing the program. A uprobe on each <c>RET</c> sees the same moment — results still in their registers,
/// the stack not yet popped — without touching the stack.
/// </para>
/// <para>
/// Decoding linearly from the entry to the next function's entry is safe for Go code, which is not true of code in
/// general: Go's compiler and assembler put no data (jump tables, literal pools, constants) in the text between a
/// function's entry and the next function's (jump tables and constants go to read-only data), and the linker pads
/// between functions with <c>INT3</c> (0xCC), a one-byte instruction, so the decoder never falls out of step and the
/// padding decodes harmlessly. Hand-written assembly in the runtime follows the same rule. A byte that does not decode
/// means that assumption broke (or the range is wrong): decoding stops there and the result says it is incomplete.
/// </para>
/// </remarks>
internal static class ReturnSites
{
    /// <summary>Larger than any Go function the compiler emits; a larger range means a damaged table.</summary>
    public const int MaxFunctionSize = 1 << 20;

    /// <summary>The addresses of every near <c>RET</c> in <paramref name="function"/> (see the overload).</summary>
    public static List<ulong> Find(ElfImage elf, GoFunction function) => Find(elf, function, out _);

    /// <summary>
    /// The addresses of every near <c>RET</c> (with or without an immediate) in <paramref name="function"/>, in order.
    /// <paramref name="complete"/> is false when the whole range could not be decoded (an invalid instruction, bytes
    /// missing from the file, an implausible range): the list then holds the returns found before that point, and
    /// probing only some of them would miss the others' results, so callers should not rely on it.
    /// </summary>
    public static List<ulong> Find(ElfImage elf, GoFunction function, out bool complete)
    {
        var sites = new List<ulong>();
        complete = false;
        if (function.End <= function.Entry || function.End - function.Entry > MaxFunctionSize)
        {
            return sites;
        }
        var size = (int)(function.End - function.Entry);
        if (!InFile(elf, function.Entry, size))
        {
            return sites;
        }
        var decoder = elf.Decode(function.Entry, size);
        while (decoder.IP < function.End)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid)
            {
                return sites;
            }
            // Mnemonic.Ret is the near return (C3, C2 imm16, and their operand-size forms); a far return (Retf) never
            // ends Go code.
            if (instruction.Mnemonic == Mnemonic.Ret)
            {
                sites.Add(instruction.IP);
            }
        }
        // The last instruction must end at the range's end: one running past it means the range cut an instruction.
        complete = decoder.IP == function.End;
        return sites;
    }

    /// <summary>
    /// True when the <paramref name="size"/> bytes at <paramref name="address"/> are code inside one loaded segment
    /// whose bytes are all in the file (a damaged program header could otherwise point past its end).
    /// </summary>
    private static bool InFile(ElfImage elf, ulong address, int size)
    {
        var fileLength = (ulong)elf.Bytes.Length;
        foreach (var segment in elf.Segments)
        {
            if (address >= segment.VirtualAddress && address - segment.VirtualAddress < segment.FileSize)
            {
                return segment.IsExecutable && segment.FileOffset <= fileLength && segment.FileSize <= fileLength - segment.FileOffset &&
                    (ulong)size <= segment.FileSize - (address - segment.VirtualAddress);
            }
        }
        return false;
    }
}
