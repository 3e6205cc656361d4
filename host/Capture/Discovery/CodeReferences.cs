using System.Buffers.Binary;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// Finds the instructions that load the address of a piece of data (a string) into a register: the way error macros
/// pass a source file or function name. Both forms compilers use on x86-64: <c>lea reg, [rip+disp32]</c>
/// (position-independent code) and <c>mov r32, imm32</c> (non-PIE executables, where addresses fit 32 bits).
/// </summary>
/// <remarks>
/// The scan reads the executable segments byte by byte without decoding them, so a hit may start inside another
/// instruction; callers confirm each hit by decoding from the containing function's start (<see cref="FunctionLocator"/>).
/// One pass looks for every target at once: a 130 MB code segment takes about a tenth of a second.
/// </remarks>
internal static class CodeReferences
{
    /// <summary>Every candidate reference to any of <paramref name="targets"/>.</summary>
    public static List<CodeReference> Find(ElfImage elf, IReadOnlyCollection<ulong> targets)
    {
        var found = new List<CodeReference>();
        if (targets.Count == 0)
        {
            return found;
        }
        var wanted = targets.ToHashSet();
        var absolute = targets.Where(t => t <= uint.MaxValue).Select(t => (uint)t).ToHashSet();
        foreach (var (address, offset, length) in elf.CodeRanges())
        {
            var code = elf.Bytes.Slice(offset, length);
            FindRipRelative(code, address, wanted, found);
            if (!elf.IsPositionIndependent)
            {
                FindImmediates(code, address, absolute, found);
            }
        }
        return found;
    }

    /// <summary><c>[REX.W] 8D modrm(mod=00, rm=101) disp32</c>: lea r64, [rip+disp32].</summary>
    private static void FindRipRelative(ReadOnlySpan<byte> code, ulong baseAddress, HashSet<ulong> wanted, List<CodeReference> found)
    {
        for (var i = 1; i + 6 <= code.Length;)
        {
            var next = code[i..].IndexOf((byte)0x8d);
            if (next < 0)
            {
                return;
            }
            i += next;
            if (i + 6 > code.Length)
            {
                return;
            }
            var rex = code[i - 1];
            var modrm = code[i + 1];
            if ((rex & 0xf8) == 0x48 && (modrm & 0xc7) == 0x05)
            {
                var end = baseAddress + (ulong)(i + 6);
                var target = (ulong)((long)end + BinaryPrimitives.ReadInt32LittleEndian(code[(i + 2)..]));
                if (wanted.Contains(target))
                {
                    var register = ((modrm >> 3) & 7) + ((rex & 4) != 0 ? 8 : 0);
                    found.Add(new CodeReference(baseAddress + (ulong)(i - 1), 7, register, target));
                }
            }
            i++;
        }
    }

    /// <summary><c>[41] B8+r imm32</c>: mov r32, imm32 (zero-extends into the 64-bit register).</summary>
    private static void FindImmediates(ReadOnlySpan<byte> code, ulong baseAddress, HashSet<uint> wanted, List<CodeReference> found)
    {
        for (var i = 1; i + 4 <= code.Length; i++)
        {
            var op = code[i - 1];
            if (op is < 0xb8 or > 0xbf)
            {
                // Skip ahead to the next byte that could be the opcode.
                var next = code[i..].IndexOfAnyInRange((byte)0xb8, (byte)0xbf);
                if (next < 0)
                {
                    return;
                }
                i += next;
                continue;
            }
            var value = BinaryPrimitives.ReadUInt32LittleEndian(code[i..]);
            if (!wanted.Contains(value))
            {
                continue;
            }
            var prefixed = i >= 2 && code[i - 2] == 0x41;
            var register = (op - 0xb8) + (prefixed ? 8 : 0);
            var start = baseAddress + (ulong)(i - (prefixed ? 2 : 1));
            found.Add(new CodeReference(start, prefixed ? 6 : 5, register, value));
        }
    }
}

/// <summary>An instruction that loads <see cref="Target"/> into general register number <see cref="Register"/> (0 = rax … 15 = r15).</summary>
internal sealed record CodeReference(ulong Address, int Length, int Register, ulong Target);
