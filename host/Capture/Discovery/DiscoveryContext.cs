namespace AgentSight.Host.Capture.Discovery;

/// <summary>One file being looked into: what the finders share (the image, function bounds) and what they report.</summary>
internal sealed class DiscoveryContext(ElfImage elf, bool fullSymbolTable)
{
    private FunctionLocator? _functions;

    public ElfImage Elf { get; } = elf;

    /// <summary>Also read the full symbol table (for files the user named: slow on big unstripped binaries).</summary>
    public bool FullSymbolTable { get; } = fullSymbolTable;

    /// <summary>Function bounds, built on first use.</summary>
    public FunctionLocator Functions => _functions ??= new FunctionLocator(Elf);

    /// <summary>Signs of a TLS library whose functions were not all found: "BoringSSL: SSL_write not matched".</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The start addresses of every occurrence of the NUL-terminated string that ends with <paramref name="suffix"/>.</summary>
    public List<ulong> StringsEndingWith(string suffix)
    {
        var pattern = System.Text.Encoding.ASCII.GetBytes(suffix + "\0");
        var starts = new List<ulong>();
        foreach (var end in Elf.FindInData(pattern))
        {
            var start = end;
            // Walk back over printable characters to the string's first byte.
            while (start > 0 && Elf.At(start - 1, 1) is [>= 0x20 and < 0x7f])
            {
                start--;
            }
            starts.Add(start);
        }
        return starts;
    }

    /// <summary>
    /// The version that follows <paramref name="prefix"/> in the file's data ("OpenSSL " gives "3.5.8" from
    /// "OpenSSL 3.5.8 1 Jul 2025"), or null: the first occurrence followed by a digit.
    /// </summary>
    public string? VersionAfter(string prefix)
    {
        foreach (var address in Elf.FindInData(System.Text.Encoding.ASCII.GetBytes(prefix)))
        {
            var text = Elf.At(address + (ulong)prefix.Length, 32);
            var length = 0;
            while (length < text.Length && (char.IsAsciiDigit((char)text[length]) || (text[length] == '.' && length > 0)))
            {
                length++;
            }
            if (length > 0 && char.IsAsciiDigit((char)text[0]))
            {
                return System.Text.Encoding.ASCII.GetString(text[..length]).TrimEnd('.');
            }
        }
        return null;
    }

    /// <summary>The addresses of every occurrence of exactly this NUL-terminated string (preceded by a NUL).</summary>
    public List<ulong> ExactStrings(string text)
    {
        var pattern = System.Text.Encoding.ASCII.GetBytes("\0" + text + "\0");
        return [.. Elf.FindInData(pattern).Select(a => a + 1)];
    }
}
