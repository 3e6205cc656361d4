using Iced.Intel;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// The arguments of an error-reporting call made where a source file's name is loaded: BoringSSL's and aws-lc's
/// <c>OPENSSL_PUT_ERROR(lib, reason)</c> expand to <c>ERR_put_error(lib, 0, reason, __FILE__, __LINE__)</c>.
/// </summary>
/// <remarks>
/// The file name's register says where the arguments are: with all five, the file is the fourth (rcx) and the reason
/// the third (rdx); when link-time optimisation drops the unused argument, the file is the third (rdx) and the reason
/// the second (rsi). The library code is always the first (rdi). The other values are read from the constants loaded
/// into those registers in the straight-line code around the file's load, up to the call or the jump to a shared call.
/// </remarks>
internal sealed record ErrorCall(ulong Site, int Library, int Reason, int Line)
{
    // System V argument registers, in order: rdi, rsi, rdx, rcx, r8.
    private static readonly int[] ArgumentRegisters = [7, 6, 2, 1, 8];

    /// <summary>Reads the call around <paramref name="site"/> (a load of the file name), or null when its shape is not recognised.</summary>
    public static ErrorCall? Read(ElfImage elf, ulong functionStart, CodeReference site)
    {
        var position = Array.IndexOf(ArgumentRegisters, site.Register);
        if (position < 2)
        {
            return null;
        }
        var decoder = elf.Decode(functionStart, (int)(site.Address - functionStart) + 96);
        var window = new List<Instruction>();
        var siteIndex = -1;
        while (decoder.IP < site.Address + 96)
        {
            decoder.Decode(out var instruction);
            if (instruction.IsInvalid)
            {
                break;
            }
            if (instruction.IP == site.Address)
            {
                siteIndex = window.Count;
            }
            window.Add(instruction);
        }
        if (siteIndex < 0)
        {
            return null;
        }

        var constants = new Dictionary<int, long>();
        // Backwards from the site to the block's start, then forwards to the call: later loads win.
        for (var i = siteIndex - 1; i >= 0 && i >= siteIndex - 8; i--)
        {
            if (window[i].FlowControl != FlowControl.Next)
            {
                break;
            }
            if (Constant(window[i]) is { } earlier && !constants.ContainsKey(earlier.Register))
            {
                constants[earlier.Register] = earlier.Value;
            }
        }
        var reachedCall = false;
        for (var i = siteIndex + 1; i < window.Count && i <= siteIndex + 10; i++)
        {
            var flow = window[i].FlowControl;
            if (flow is FlowControl.Call or FlowControl.UnconditionalBranch)
            {
                reachedCall = true;
                break;
            }
            if (flow != FlowControl.Next)
            {
                break;
            }
            if (Constant(window[i]) is { } later)
            {
                constants[later.Register] = later.Value;
            }
        }
        if (!reachedCall
            || !constants.TryGetValue(ArgumentRegisters[0], out var library)
            || !constants.TryGetValue(ArgumentRegisters[position - 1], out var reason))
        {
            return null;
        }
        var line = position + 1 < ArgumentRegisters.Length && constants.TryGetValue(ArgumentRegisters[position + 1], out var l) ? l : -1;
        return new ErrorCall(site.Address, (int)library, (int)reason, (int)line);
    }

    /// <summary>A constant put in a 32-bit register: <c>mov r32, imm32</c> or <c>xor r32, r32</c>.</summary>
    private static (int Register, long Value)? Constant(in Instruction instruction)
    {
        if (instruction.Mnemonic == Mnemonic.Mov && instruction.OpCount == 2 && instruction.Op0Kind == OpKind.Register
            && instruction.Op1Kind == OpKind.Immediate32 && instruction.Op0Register.IsGPR32())
        {
            return (instruction.Op0Register.GetFullRegister().GetNumber(), instruction.Immediate32);
        }
        if (instruction.Mnemonic == Mnemonic.Xor && instruction.OpCount == 2 && instruction.Op0Kind == OpKind.Register
            && instruction.Op1Kind == OpKind.Register && instruction.Op0Register == instruction.Op1Register && instruction.Op0Register.IsGPR32())
        {
            return (instruction.Op0Register.GetFullRegister().GetNumber(), 0);
        }
        return null;
    }
}
