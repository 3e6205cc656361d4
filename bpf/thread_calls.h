/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Maps of the calls in progress, one entry per thread (TLS calls, file opens, socket and stdio calls): what a system
 * call's or a function's entry saw, for its return on the same thread. A thread's entry stays from one call to the
 * next, marked idle by its owner between them, and is written in place: an insert at every entry and a delete at every
 * return allocate and free an element each time (or take one from an LRU list), which cost the traced program more than
 * the rest of the programs' map work (docs/PERFORMANCE.md, "Stop 31").
 */
#ifndef AGENTSIGHT_THREAD_CALLS_H
#define AGENTSIGHT_THREAD_CALLS_H

/* Writes *value as the entry of key: in place when there is one, else inserted. Non-zero: the map is full. */
#define as_put_in_place(map, key, value)                                                  \
	({                                                                                \
		__typeof__(*(value)) *slot_ = bpf_map_lookup_elem((map), (key));          \
		long full_ = 0;                                                           \
		if (slot_)                                                                \
			*slot_ = *(value);                                                \
		else                                                                      \
			full_ = bpf_map_update_elem((map), (key), (value), BPF_NOEXIST);  \
		full_;                                                                    \
	})

#endif /* AGENTSIGHT_THREAD_CALLS_H */
