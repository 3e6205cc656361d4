// SPDX-License-Identifier: MIT
/*
 * TLS plaintext at the library boundary: OpenSSL's SSL_read, SSL_read_ex, SSL_write, SSL_write_ex
 * and SSL_do_handshake, entry and return, in any binary that exports them (libssl.so.*, or a program
 * that carries OpenSSL inside, such as Node.js). The host attaches each program to each library
 * by hand, with a cookie naming the library.
 *
 * Records follow the payload's size: the bytes are staged in a per-CPU scratch buffer and sent with
 * bpf_ringbuf_output(header + captured), never a fixed-size reservation. A call larger than one
 * chunk is sent as several pieces in order (same tid, same start time); the host joins them.
 * Whatever does not fit in the ring is counted in `stats`, never dropped silently.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "agentsight.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

const volatile struct as_tls_config cfg = {
	.magic = AS_CONFIG_MAGIC,
	.filter_mode = AS_FILTER_ALL,
	.max_capture = AS_TLS_CHUNK,
};

/* Process tree to follow; maintained by process.bpf.c, shared through bpf_map__reuse_fd. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct as_tracked);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 * 1024 * 1024);
} tls_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AS_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} tls_stats SEC(".maps");

/* What the entry probe saw, for the return probe of the same thread. */
struct tls_call {
	__u64 buf;
	__u64 conn;
	__u64 len_ptr;           /* SSL_*_ex: where the library writes the byte count */
	__u64 start_ns;
};

/* One map per direction so that a call nested in another (a read inside a write callback) cannot
 * overwrite its caller's entry. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tls_call);
} read_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tls_call);
} write_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tls_call);
} handshake_calls SEC(".maps");

struct tls_scratch {
	struct as_tls_record hdr;
	__u8 data[AS_TLS_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tls_scratch);
} tls_scratch SEC(".maps");

static __always_inline void count(__u32 stat, __u64 amount)
{
	__u64 *value = bpf_map_lookup_elem(&tls_stats, &stat);
	if (value)
		*value += amount; /* per-CPU: no other writer */
}

/*
 * Waking the reader for every record costs a context switch per TLS call, on the CPUs the traced program needs.
 * The reader polls on a short timer instead, and is woken early only once a batch has built up.
 */
static __always_inline __u64 wakeup_flags(void)
{
	if (!cfg.wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&tls_events, BPF_RB_AVAIL_DATA) >= cfg.wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Sends a record; one that does not fit in the ring is counted, with the plaintext it would have brought. */
static __always_inline bool submit(void *record, __u64 size, __u64 plaintext)
{
	if (!bpf_ringbuf_output(&tls_events, record, size, wakeup_flags()))
		return true;
	count(AS_STAT_RING_FULL, 1);
	count(AS_STAT_RING_FULL_BYTES, plaintext);
	return false;
}

static __always_inline bool allowed(__u32 tgid)
{
	if (tgid == cfg.self_tgid)
		return false;
	if (cfg.uid_filter && (__u32)bpf_get_current_uid_gid() != cfg.target_uid)
		return false;
	if (cfg.filter_mode == AS_FILTER_TRACKED) {
		struct as_tracked *t = bpf_map_lookup_elem(&tracked, &tgid);
		if (!t || t->mute_execs)
			return false;
	}
	return true;
}

static __always_inline int enter(void *calls, void *ssl, void *buf, void *len_ptr)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!allowed(id >> 32))
		return 0;
	struct tls_call call = {
		.buf = (__u64)buf,
		.conn = (__u64)ssl,
		.len_ptr = (__u64)len_ptr,
		.start_ns = bpf_ktime_get_boot_ns(),
	};
	if (bpf_map_update_elem(calls, &id, &call, BPF_ANY))
		count(AS_STAT_CALL_MAP_FULL, 1);
	return 0;
}

struct piece_ctx {
	__u64 buf;
	__u64 captured;          /* bytes to send for the whole call */
	struct as_tls_record hdr;
	bool stop;
};

/* Sends piece `index` of a call; returns 1 (stop) after the last piece or on a full ring. */
static long send_piece(__u32 index, struct piece_ctx *c)
{
	__u64 offset = (__u64)index * AS_TLS_CHUNK;
	if (offset >= c->captured)
		return 1;
	__u32 zero = 0;
	struct tls_scratch *s = bpf_map_lookup_elem(&tls_scratch, &zero);
	if (!s)
		return 1;

	__u64 n = c->captured - offset;
	if (n > AS_TLS_CHUNK)
		n = AS_TLS_CHUNK;
	barrier_var(n);
	if (n > AS_TLS_CHUNK)
		return 1;

	__builtin_memcpy(&s->hdr, &c->hdr, sizeof(s->hdr));
	s->hdr.offset = offset;
	s->hdr.flags = 0;
	if (offset == 0)
		s->hdr.flags |= AS_TLS_FIRST;
	bool last = offset + n >= c->captured;
	if (last)
		s->hdr.flags |= AS_TLS_LAST;

	if (bpf_probe_read_user(s->data, n, (void *)(c->buf + offset))) {
		/* The piece still goes out, empty and flagged, so the host knows the call happened. */
		s->hdr.flags |= AS_TLS_COPY_FAILED;
		s->hdr.captured = 0;
		count(AS_STAT_COPY_FAILED, 1);
		n = 0;
	} else {
		s->hdr.captured = n;
	}

	/* A piece that does not fit ends the call: every byte from it on is lost. */
	if (!submit(s, sizeof(s->hdr) + n, c->captured - offset)) {
		c->stop = true;
		return 1;
	}
	return last ? 1 : 0;
}

static __always_inline int leave(struct pt_regs *ctx, void *calls, __u8 kind, bool ex)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call *call = bpf_map_lookup_elem(calls, &id);
	if (!call)
		return 0;
	struct tls_call saved = *call;
	bpf_map_delete_elem(calls, &id);

	__s64 len = (int)PT_REGS_RC(ctx);
	if (ex) {
		/* SSL_*_ex return 1 on success and write the byte count through their last argument. */
		size_t done = 0;
		if (len != 1 || !saved.len_ptr || bpf_probe_read_user(&done, sizeof(done), (void *)saved.len_ptr))
			return 0;
		len = (__s64)done;
	}
	if (len <= 0)
		return 0;

	struct piece_ctx c = {};
	c.buf = saved.buf;
	c.captured = (__u64)len < cfg.max_capture ? (__u64)len : cfg.max_capture;
	c.hdr.record_kind = AS_REC_TLS;
	c.hdr.tls_kind = kind;
	c.hdr.pid = id >> 32;
	c.hdr.tid = (__u32)id;
	c.hdr.uid = (__u32)bpf_get_current_uid_gid();
	c.hdr.start_ns = saved.start_ns;
	c.hdr.end_ns = bpf_ktime_get_boot_ns();
	c.hdr.conn = saved.conn;
	c.hdr.cookie = bpf_get_attach_cookie(ctx);
	c.hdr.len = len;
	c.hdr.call_captured = (__u32)c.captured;
	bpf_get_current_comm(c.hdr.comm, sizeof(c.hdr.comm));

	if (c.captured == 0) {
		/* A cap of 0 keeps the call's metadata only: one header, no bytes. */
		c.hdr.flags = AS_TLS_FIRST | AS_TLS_LAST;
		submit(&c.hdr, sizeof(c.hdr), 0);
		return 0;
	}
	if (c.captured <= AS_TLS_CHUNK)
		send_piece(0, &c);
	else
		bpf_loop(AS_TLS_MAX_PIECES, send_piece, &c, 0);

	if (c.stop) {
		/* Say the call ended early; if even this header does not fit, the host ends the call
		 * itself when the thread's next call (or the flush) arrives, and the loss is counted. */
		c.hdr.flags = AS_TLS_LAST | AS_TLS_ABORTED;
		c.hdr.captured = 0;
		c.hdr.offset = 0;
		submit(&c.hdr, sizeof(c.hdr), 0);
	}
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_enter, void *ssl, void *buf, int num)
{
	return enter(&read_calls, ssl, buf, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_exit)
{
	return leave(ctx, &read_calls, AS_TLS_READ, false);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_enter, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	return enter(&read_calls, ssl, buf, readbytes);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_ex_exit)
{
	return leave(ctx, &read_calls, AS_TLS_READ, true);
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_enter, void *ssl, void *buf, int num)
{
	return enter(&write_calls, ssl, buf, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_exit)
{
	return leave(ctx, &write_calls, AS_TLS_WRITE, false);
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_enter, void *ssl, void *buf, size_t num, size_t *written)
{
	return enter(&write_calls, ssl, buf, written);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_ex_exit)
{
	return leave(ctx, &write_calls, AS_TLS_WRITE, true);
}

SEC("uprobe")
int BPF_KPROBE(ssl_handshake_enter, void *ssl)
{
	if (!cfg.emit_handshake)
		return 0;
	return enter(&handshake_calls, ssl, 0, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_handshake_exit)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call *call = bpf_map_lookup_elem(&handshake_calls, &id);
	if (!call)
		return 0;
	struct tls_call saved = *call;
	bpf_map_delete_elem(&handshake_calls, &id);

	/* Non-blocking sockets call it again and again (-1, want read/write): report the success. */
	int ret = (int)PT_REGS_RC(ctx);
	if (ret != 1)
		return 0;

	struct as_tls_record hdr = {};
	hdr.record_kind = AS_REC_TLS;
	hdr.tls_kind = AS_TLS_HANDSHAKE;
	hdr.flags = AS_TLS_FIRST | AS_TLS_LAST;
	hdr.pid = id >> 32;
	hdr.tid = (__u32)id;
	hdr.uid = (__u32)bpf_get_current_uid_gid();
	hdr.start_ns = saved.start_ns;
	hdr.end_ns = bpf_ktime_get_boot_ns();
	hdr.conn = saved.conn;
	hdr.cookie = bpf_get_attach_cookie(ctx);
	hdr.len = ret;
	bpf_get_current_comm(hdr.comm, sizeof(hdr.comm));
	submit(&hdr, sizeof(hdr), 0);
	return 0;
}
