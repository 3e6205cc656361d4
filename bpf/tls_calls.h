/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The TLS calls in progress, per thread: what an SSL read or write entry saw, for its return. The tls object fills
 * them; the io object reads them, so that the TLS library's own socket calls inside such a call leave at once instead
 * of being looked into (their bytes are TLS records: the TLS probes' alone). The process object, loaded first, creates
 * the maps; the io and tls objects, loaded in parallel after it, reuse them (bpf_map__reuse_fd), like `tracked`.
 */
#ifndef AGENTSIGHT_TLS_CALLS_H
#define AGENTSIGHT_TLS_CALLS_H

#include "thread_calls.h"

/* What the entry probe saw, for the return probe of the same thread. */
struct tls_call {
	__u64 buf;
	__u64 conn;
	__u64 len_ptr;           /* SSL_*_ex: where the library writes the byte count */
	__u64 start_ns;          /* 0: no call in progress on this thread */
	__u64 ad;                /* AEAD open: the additional data (TLS 1.2: the record type is ad[8]) */
	__u32 ad_len;
	__s32 fd;                /* set by the first socket call made inside this call, -1 until then */
};

/*
 * One map per direction so that a call nested in another (a read inside a write callback) cannot overwrite its
 * caller's entry. Key: bpf_get_current_pid_tgid(). Kept per thread (thread_calls.h: start_ns 0 between calls) and
 * removed by process.bpf.c when the thread exits.
 */
#define AS_TLS_CALLS_MAP(name)                                    \
	struct {                                                  \
		__uint(type, BPF_MAP_TYPE_HASH);                  \
		__uint(max_entries, 16384);                       \
		__type(key, __u64);                               \
		__type(value, struct tls_call);                   \
	} name SEC(".maps")

/* This thread's call in progress, or NULL. */
static __always_inline struct tls_call *as_call_active(void *calls, __u64 id)
{
	struct tls_call *call = bpf_map_lookup_elem(calls, &id);
	return call && call->start_ns ? call : NULL;
}

/* Ends this thread's call and hands back what its entry saw; false when none was in progress. */
static __always_inline bool as_call_end(void *calls, __u64 id, struct tls_call *saved)
{
	struct tls_call *call = as_call_active(calls, id);
	if (!call)
		return false;
	*saved = *call;
	call->start_ns = 0;
	return true;
}

#endif /* AGENTSIGHT_TLS_CALLS_H */
