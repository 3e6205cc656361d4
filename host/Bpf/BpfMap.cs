namespace AgentSight.Host.Bpf;

/// <summary>A map of a <see cref="BpfObject"/>: sized and shared before load, read and written after.</summary>
internal sealed unsafe class BpfMap
{
    private readonly BpfObject _owner;

    internal BpfMap(BpfObject owner, nint pointer, string name)
    {
        _owner = owner;
        Pointer = pointer;
        Name = name;
    }

    public string Name { get; }

    internal nint Pointer { get; }

    public int Fd => Libbpf.MapFd(Pointer);

    public uint MaxEntries => Libbpf.MapMaxEntries(Pointer);

    /// <summary>Sets the entry count (for a ring buffer: its size in bytes, a power-of-two number of pages).</summary>
    public void SetMaxEntries(uint entries)
    {
        _owner.ThrowIfLoaded("resize a map of");
        Check("bpf_map__set_max_entries", Libbpf.MapSetMaxEntries(Pointer, entries));
    }

    /// <summary>Uses an existing map (of another loaded object) instead of creating this one: both then share it.</summary>
    public void ReuseFd(int fd)
    {
        _owner.ThrowIfLoaded("share a map of");
        Check("bpf_map__reuse_fd", Libbpf.MapReuseFd(Pointer, fd));
    }

    public void Update<TKey, TValue>(TKey key, TValue value, ulong flags = 0) where TKey : unmanaged where TValue : unmanaged
    {
        _owner.ThrowIfNotLoaded("write a map of");
        Check("bpf_map__update_elem", Libbpf.MapUpdateElem(Pointer, &key, (nuint)sizeof(TKey), &value, (nuint)sizeof(TValue), flags));
    }

    public bool TryLookup<TKey, TValue>(TKey key, out TValue value) where TKey : unmanaged where TValue : unmanaged
    {
        _owner.ThrowIfNotLoaded("read a map of");
        TValue found;
        var error = Libbpf.MapLookupElem(Pointer, &key, (nuint)sizeof(TKey), &found, (nuint)sizeof(TValue), 0);
        if (error == -Errno.ENOENT)
        {
            value = default;
            return false;
        }
        Check("bpf_map__lookup_elem", error);
        value = found;
        return true;
    }

    /// <summary>Reads one entry of a per-CPU map: one value per possible CPU.</summary>
    public void LookupPerCpu<TKey>(TKey key, Span<ulong> perCpu) where TKey : unmanaged
    {
        _owner.ThrowIfNotLoaded("read a map of");
        fixed (ulong* values = perCpu)
        {
            Check("bpf_map__lookup_elem", Libbpf.MapLookupElem(Pointer, &key, (nuint)sizeof(TKey), values, (nuint)(perCpu.Length * sizeof(ulong)), 0));
        }
    }

    public bool Delete<TKey>(TKey key) where TKey : unmanaged
    {
        _owner.ThrowIfNotLoaded("write a map of");
        var error = Libbpf.MapDeleteElem(Pointer, &key, (nuint)sizeof(TKey), 0);
        if (error == -Errno.ENOENT)
        {
            return false;
        }
        Check("bpf_map__delete_elem", error);
        return true;
    }

    /// <summary>Every key, in the kernel's order (a snapshot that may miss or repeat entries changed meanwhile).</summary>
    public List<TKey> Keys<TKey>() where TKey : unmanaged
    {
        _owner.ThrowIfNotLoaded("read a map of");
        var keys = new List<TKey>();
        TKey next;
        var error = Libbpf.MapGetNextKey(Pointer, null, &next, (nuint)sizeof(TKey));
        while (error == 0)
        {
            keys.Add(next);
            var current = next;
            error = Libbpf.MapGetNextKey(Pointer, &current, &next, (nuint)sizeof(TKey));
        }
        if (error != -Errno.ENOENT)
        {
            Check("bpf_map__get_next_key", error);
        }
        return keys;
    }

    private void Check(string function, int error)
    {
        if (error < 0)
        {
            throw new BpfException(function, -error, $"{_owner.Name}: map {Name}");
        }
    }
}
