/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every probe family does with its ring buffer and its per-CPU counters: count, decide whether to wake the
 * reader, send a record. Each .bpf.c passes its own maps and its config's wakeup_bytes; these inline into the
 * caller, so the verifier sees the map itself.
 */
#ifndef AGENTSIGHT_RING_H
#define AGENTSIGHT_RING_H

/* Adds to a per-CPU counter (a BPF_MAP_TYPE_PERCPU_ARRAY of __u64): no other writer on this CPU. */
static __always_inline void as_count(void *stats, __u32 stat, __u64 amount)
{
	__u64 *value = bpf_map_lookup_elem(stats, &stat);
	if (value)
		*value += amount;
}

/*
 * Written 1 by the reader before it sleeps for long (its rings stayed empty a while: an idle agent); the next record
 * wakes it at once, whatever its size, and sets it back to 0. Each object has its own.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} reader_asleep SEC(".maps");

/*
 * Waking the reader for every record costs a context switch per call, on the CPUs the traced program needs. The
 * reader polls on a short timer instead, and is woken early only once a batch of wakeup_bytes has built up (0: on
 * every record), or when it sleeps for long (reader_asleep).
 */
static __always_inline __u64 as_wakeup_flags(void *ring, __u64 wakeup_bytes)
{
	if (!wakeup_bytes)
		return 0;
	__u32 zero = 0;
	__u32 *asleep = bpf_map_lookup_elem(&reader_asleep, &zero);
	if (asleep && *asleep) {
		*asleep = 0;
		return BPF_RB_FORCE_WAKEUP;
	}
	return bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/*
 * Sends a record; one that does not fit in the ring is counted under full_stat, and the bytes it carried under
 * full_bytes_stat. False when it did not fit.
 */
static __always_inline bool as_submit(void *ring, __u64 wakeup_bytes, void *record, __u64 size, void *stats,
				      __u32 full_stat, __u32 full_bytes_stat, __u64 bytes)
{
	if (!bpf_ringbuf_output(ring, record, size, as_wakeup_flags(ring, wakeup_bytes)))
		return true;
	as_count(stats, full_stat, 1);
	as_count(stats, full_bytes_stat, bytes);
	return false;
}

#endif /* AGENTSIGHT_RING_H */
