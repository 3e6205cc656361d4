using System.Buffers.Binary;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// Where to put a probe so that the kernel does not have to single-step the probed instruction.
/// </summary>
/// <remarks>
/// A uprobe replaces an instruction with a breakpoint. Afterwards the kernel either emulates the instruction (x86:
/// push, nop, call, jmp) or single-steps a copy of it, which needs a debug trap: measured on the development VM,
/// 0.5–1 µs per hit for an emulated instruction and 16–25 µs for a single-stepped one. A return probe must sit on
/// the function's first instruction (it takes over the return address there), so its cost depends on that
/// instruction. Debian's libssl 3 begins SSL_read_ex and SSL_write_ex with <c>sub $8,%rsp</c>, then calls an
/// internal function (<c>ssl_read_internal</c>, <c>ssl_write_internal</c>) with the same four arguments, which begins
/// with a push: probing that function instead sees the same calls (SSL_read and SSL_write go through it too) for a
/// fraction of the cost. Only these exact shapes are recognised; anything else is probed where it is.
/// </remarks>
internal static class ProbePlacement
{
    /// <summary>True when the kernel emulates the first instruction of <paramref name="code"/> (no single-step).</summary>
    public static bool IsEmulated(ReadOnlySpan<byte> code)
    {
        if (code.Length == 0)
        {
            return false;
        }
        var i = 0;
        // A REX.B prefix on push r8-r15.
        if (code[0] is 0x41 && code.Length > 1)
        {
            i = 1;
        }
        var op = code[i];
        if (op is >= 0x50 and <= 0x57)
        {
            return true; // push reg
        }
        if (i > 0)
        {
            return false;
        }
        return op switch
        {
            0x90 => true,                                      // nop
            0xe8 or 0xe9 or 0xeb => true,                      // call rel32, jmp rel32, jmp rel8
            0x0f => code.Length > 1 && code[1] == 0x1f,        // nopl (multi-byte nop)
            0x66 => code.Length > 2 && code[1] == 0x0f && code[2] == 0x1f,
            _ => false,
        };
    }

    /// <summary>
    /// The function a thin wrapper calls first: <c>sub $imm8,%rsp; call rel32</c> at <paramref name="address"/>
    /// (arguments untouched on the way). Null for any other shape.
    /// </summary>
    public static ulong? ThinWrapperTarget(ulong address, ReadOnlySpan<byte> code)
    {
        // 48 83 ec ib : sub $imm8,%rsp        e8 rel32 : call
        if (code.Length < 9 || code[0] != 0x48 || code[1] != 0x83 || code[2] != 0xec || code[4] != 0xe8)
        {
            return null;
        }
        var relative = BinaryPrimitives.ReadInt32LittleEndian(code[5..]);
        return (ulong)((long)address + 9 + relative);
    }

    /// <summary>True when <paramref name="code"/> (at <paramref name="address"/>) contains a direct call to <paramref name="target"/>.</summary>
    public static bool Calls(ulong address, ReadOnlySpan<byte> code, ulong target)
    {
        for (var i = 0; i + 5 <= code.Length; i++)
        {
            if (code[i] == 0xe8 && (ulong)((long)address + i + 5 + BinaryPrimitives.ReadInt32LittleEndian(code[(i + 1)..])) == target)
            {
                return true;
            }
        }
        return false;
    }
}
