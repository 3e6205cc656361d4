using System.Buffers.Binary;
using Iced.Intel;

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
            >= 0x70 and <= 0x7f => true,                       // jcc rel8
            0x0f => code.Length > 1 && (code[1] == 0x1f || (code[1] & 0xf0) == 0x80), // nopl (multi-byte nop), jcc rel32
            0x66 => code.Length > 2 && code[1] == 0x0f && code[2] == 0x1f,
            _ => false,
        };
    }

    /// <summary>
    /// Where to put an entry (and return) probe on the function at <paramref name="address"/> so that the kernel
    /// emulates the probed instruction: past an <c>endbr64</c> (CET builds: OpenSSL linked into Codex and Copilot's
    /// runtime.node), which the kernel single-steps, when the next instruction is emulated. <c>endbr64</c> changes no
    /// register and not the stack, so arguments and the return address are where they were at the entry.
    /// </summary>
    public static ulong EntrySite(ElfImage elf, ulong address)
    {
        var code = elf.At(address, 16);
        return code.StartsWith(EndBranch64) && IsEmulated(code[EndBranch64.Length..]) ? address + (ulong)EndBranch64.Length : address;
    }

    /// <summary>
    /// Where to probe the entry of a Go function so that the kernel emulates the probed instruction: Go functions begin
    /// with a stack check (<c>cmp rsp|r12, [r14+16]</c>, which the kernel would single-step) and a conditional jump
    /// (<c>jbe</c>, emulated) to grow the stack, after which the function starts over. The probe goes on that jump, and
    /// the program ignores the hit when the jump will be taken (the flags say so), so each call is seen once. The
    /// arguments are still in their registers there (the check writes none of them). Null for another shape.
    /// </summary>
    public static ulong? GoStackCheckBranch(ElfImage elf, ulong entry)
    {
        var decoder = elf.Decode(entry, 32);
        for (var i = 0; i < 3; i++)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid)
            {
                return null;
            }
            if (instruction.Mnemonic == Mnemonic.Jbe)
            {
                // Only after the stack-guard comparison against the goroutine (r14).
                return i > 0 && IsEmulated(elf.At(instruction.IP, 2)) ? instruction.IP : null;
            }
            var stackCheck = instruction.Mnemonic == Mnemonic.Cmp && instruction.MemoryBase == Register.R14;
            var frameAddress = instruction.Mnemonic == Mnemonic.Lea && instruction.Op0Register == Register.R12 && instruction.MemoryBase == Register.RSP;
            if (!stackCheck && !frameAddress)
            {
                return null;
            }
        }
        return null;
    }

    private static ReadOnlySpan<byte> EndBranch64 => [0xf3, 0x0f, 0x1e, 0xfa];

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
