// SPDX-License-Identifier: MIT
/*
 * TLS plaintext where the TLS library hands it over or takes it:
 *  - OpenSSL's API (SSL_read, SSL_read_ex, SSL_write, SSL_write_ex, SSL_do_handshake), exported or found in
 *    stripped code (BoringSSL in Bun; OpenSSL 3's ssl_read_internal/ssl_write_internal linked statically);
 *  - the AEAD layer of aws-lc (EVP_AEAD_CTX_seal/open), through which rustls encrypts every record;
 *  - Go's crypto/tls.(*Conn).Write and Read (register ABI; RET instructions instead of return probes).
 * The host attaches each program to each file by hand, at offsets it found, with a cookie naming the file.
 *
 * The socket system calls of traced processes complete the picture: which socket a connection object writes to
 * (so that one-way AEAD contexts can be joined, and every plaintext names its socket), and every TLS ClientHello a
 * traced process sends, so that the host can say when a connection's plaintext was seen by no probe.
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
#include "ring.h"
#include "tls_calls.h"

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

/* Which socket a connection object uses, once seen (key: process and object). */
struct conn_key {
	__u32 tgid;
	__u32 pad;
	__u64 conn;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct conn_key);
	__type(value, __s32);
} conn_fds SEC(".maps");

/* Per thread: the socket it last read from, and a connection object whose next socket write names its socket. */
struct thread_io {
	__u64 pending_conn;
	__s32 last_read_fd;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct thread_io);
} threads SEC(".maps");

/* Sockets of traced processes that sent a ClientHello, until they carry application data. */
struct sock_key {
	__u32 tgid;
	__s32 fd;
};

struct hello_sock {
	__u64 written;           /* bytes written since the ClientHello */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct sock_key);
	__type(value, struct hello_sock);
} hello_socks SEC(".maps");

/* Go calls are matched by goroutine, not thread: a goroutine blocked in Read may resume on another thread. */
struct go_key {
	__u32 tgid;
	__u32 pad;
	__u64 g;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct go_key);
	__type(value, struct tls_call);
} go_reads SEC(".maps");

/* Shared with the io object (tls_calls.h). */
AS_TLS_CALLS_MAP(read_calls);
AS_TLS_CALLS_MAP(write_calls);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct tls_call);
} handshake_calls SEC(".maps");

struct tls_scratch {
	struct as_tls_record hdr;
	__u8 data[AS_TLS_CHUNK];
};

struct sock_scratch {
	struct as_sock_record hdr;
	__u8 data[AS_HELLO_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sock_scratch);
} sock_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tls_scratch);
} tls_scratch SEC(".maps");

static __always_inline void count(__u32 stat, __u64 amount)
{
	as_count(&tls_stats, stat, amount);
}

/* Sends a record; one that does not fit in the ring is counted, with the plaintext it would have brought. */
static __always_inline bool submit(void *record, __u64 size, __u64 plaintext)
{
	return as_submit(&tls_events, cfg.wakeup_bytes, record, size, &tls_stats, AS_STAT_RING_FULL, AS_STAT_RING_FULL_BYTES, plaintext);
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
		.fd = -1,
	};
	if (as_put_in_place(calls, &id, &call))
		count(AS_STAT_CALL_MAP_FULL, 1);
	return 0;
}

/* The socket a connection object was last seen using in this process, or -1. */
static __always_inline __s32 conn_fd(__u32 tgid, __u64 conn)
{
	struct conn_key key = { .tgid = tgid, .conn = conn };
	__s32 *fd = bpf_map_lookup_elem(&conn_fds, &key);
	return fd ? *fd : -1;
}

static __always_inline void remember_fd(__u32 tgid, __u64 conn, __s32 fd)
{
	struct conn_key key = { .tgid = tgid, .conn = conn };
	/* Written only when new or changed: an LRU update takes a fresh node every time, and a connection keeps its
	 * socket for all its calls. */
	__s32 *known = bpf_map_lookup_elem(&conn_fds, &key);
	if (known && *known == fd)
		return;
	bpf_map_update_elem(&conn_fds, &key, &fd, BPF_ANY);
}

struct piece_ctx {
	__u64 buf;
	__u64 captured;          /* bytes to send for the whole call */
	struct as_tls_record hdr;
	__u8 extra_flags;        /* AS_TLS_PADDED, AS_TLS_ONE_WAY: on every piece */
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
	s->hdr.flags = c->extra_flags;
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

/*
 * Sends the plaintext of one call (or one record) as one or more pieces. `buf` holds `len` bytes in the traced
 * process; at most cfg.max_capture of them are copied.
 */
static __always_inline void emit(void *ctx, __u8 kind, __u8 flags, __u64 conn, __s32 fd, __u64 buf, __s64 len, __u64 start_ns)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct piece_ctx c = {};
	c.buf = buf;
	c.captured = (__u64)len < cfg.max_capture ? (__u64)len : cfg.max_capture;
	c.hdr.record_kind = AS_REC_TLS;
	c.hdr.tls_kind = kind;
	c.hdr.pid = id >> 32;
	c.hdr.tid = (__u32)id;
	c.hdr.uid = (__u32)bpf_get_current_uid_gid();
	c.hdr.start_ns = start_ns;
	c.hdr.end_ns = bpf_ktime_get_boot_ns();
	c.hdr.conn = conn;
	c.hdr.cookie = bpf_get_attach_cookie(ctx);
	c.hdr.len = len;
	c.hdr.call_captured = (__u32)c.captured;
	c.hdr.fd = fd;
	c.extra_flags = flags;
	bpf_get_current_comm(c.hdr.comm, sizeof(c.hdr.comm));

	if (c.captured == 0) {
		/* A cap of 0 keeps the call's metadata only: one header, no bytes. */
		c.hdr.flags = AS_TLS_FIRST | AS_TLS_LAST | flags;
		submit(&c.hdr, sizeof(c.hdr), 0);
		return;
	}
	if (c.captured <= AS_TLS_CHUNK)
		send_piece(0, &c);
	else
		bpf_loop(AS_TLS_MAX_PIECES, send_piece, &c, 0);

	if (c.stop) {
		/* Say the call ended early; if even this header does not fit, the host ends the call
		 * itself when the thread's next call (or the flush) arrives, and the loss is counted. */
		c.hdr.flags = AS_TLS_LAST | AS_TLS_ABORTED | flags;
		c.hdr.captured = 0;
		c.hdr.offset = 0;
		submit(&c.hdr, sizeof(c.hdr), 0);
	}
}

static __always_inline int leave(struct pt_regs *ctx, void *calls, __u8 kind, bool ex)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call saved;
	if (!as_call_end(calls, id, &saved))
		return 0;

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

	__u32 tgid = id >> 32;
	__s32 fd = saved.fd;
	if (fd >= 0)
		remember_fd(tgid, saved.conn, fd);
	else
		fd = conn_fd(tgid, saved.conn);
	emit(ctx, kind, 0, saved.conn, fd, saved.buf, len, saved.start_ns);
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

/* OpenSSL 3.3+'s ssl_write_internal(SSL *s, const void *buf, size_t num, uint64_t flags, size_t *written). */
SEC("uprobe")
int BPF_KPROBE(ssl_write_flags_enter, void *ssl, void *buf, size_t num, __u64 flags, size_t *written)
{
	return enter(&write_calls, ssl, buf, written);
}

/* Entered even when handshakes are not reported: its socket calls tell which socket the connection uses. */
SEC("uprobe")
int BPF_KPROBE(ssl_handshake_enter, void *ssl)
{
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

	/* The handshake's own socket calls name the connection's socket (Bun's BIO hides it otherwise). */
	__s32 fd = saved.fd;
	if (fd >= 0)
		remember_fd(id >> 32, saved.conn, fd);

	/* Non-blocking sockets call it again and again (-1, want read/write): report the success. */
	int ret = (int)PT_REGS_RC(ctx);
	if (ret != 1 || !cfg.emit_handshake)
		return 0;
	if (fd < 0)
		fd = conn_fd(id >> 32, saved.conn);

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
	hdr.fd = fd;
	bpf_get_current_comm(hdr.comm, sizeof(hdr.comm));
	submit(&hdr, sizeof(hdr), 0);
	return 0;
}

/* ---- aws-lc's AEAD layer (rustls): one TLS record per call, one direction per context ---- */

#define TLS_APPLICATION_DATA 0x17
#define TLS12_AD_LEN 13
#define TLS13_AD_LEN 5

/* The n-th stack argument (7th and later in the System V ABI) at function entry: above the return address. */
static __always_inline __u64 stack_arg(struct pt_regs *ctx, int n)
{
	__u64 value = 0;
	bpf_probe_read_user(&value, sizeof(value), (void *)(PT_REGS_SP(ctx) + 8 * (n - 6)));
	return value;
}

/* The thread's next socket write names the socket of `conn` (it sends what was just encrypted). */
static __always_inline bool await_link(__u64 id, __u64 conn)
{
	struct thread_io *t = bpf_map_lookup_elem(&threads, &id);
	if (t) {
		t->pending_conn = conn;
		return true;
	}
	struct thread_io fresh = { .last_read_fd = -1, .pending_conn = conn };
	return bpf_map_update_elem(&threads, &id, &fresh, BPF_ANY) == 0;
}

/*
 * A record sealed with one AEAD context: TLS 1.2 names its type in the additional data (ad[8]); TLS 1.3 hides it as
 * the last plaintext byte (rustls adds no padding). Only application data is sent. The socket is known once the
 * context has written through one; until then the thread's next socket write names it (see on_socket_write).
 */
static __always_inline int seal(struct pt_regs *ctx, __u64 aead, __u64 in, __u64 in_len, __u64 ad, __u64 ad_len)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!allowed(tgid) || in_len == 0 || in_len > AS_TLS_CHUNK + 256)
		return 0;
	__u8 type = 0;
	__s64 len = (__s64)in_len;
	if (ad_len == TLS12_AD_LEN) {
		bpf_probe_read_user(&type, 1, (void *)(ad + 8));
	} else if (ad_len == TLS13_AD_LEN) {
		bpf_probe_read_user(&type, 1, (void *)(in + in_len - 1));
		len--;
	}
	if (type != TLS_APPLICATION_DATA || len <= 0)
		return 0;
	__s32 fd = conn_fd(tgid, aead);
	__u8 flags = AS_TLS_ONE_WAY;
	if (fd < 0 && await_link(id, aead))
		flags |= AS_TLS_LINK_PENDING;
	emit(ctx, AS_TLS_WRITE, flags, aead, fd, in, len, bpf_ktime_get_boot_ns());
	return 0;
}

/* int EVP_AEAD_CTX_seal(ctx, out, *out_len, max_out_len, nonce, nonce_len, in, in_len, ad, ad_len) */
SEC("uprobe")
int aead_seal_enter(struct pt_regs *ctx)
{
	return seal(ctx, PT_REGS_PARM1(ctx), stack_arg(ctx, 7), stack_arg(ctx, 8), stack_arg(ctx, 9), stack_arg(ctx, 10));
}

/* int EVP_AEAD_CTX_seal_scatter(ctx, out, out_tag, *out_tag_len, max_out_tag_len, nonce, nonce_len, in, in_len,
 *                               extra_in, extra_in_len, ad, ad_len) */
SEC("uprobe")
int aead_seal_scatter_enter(struct pt_regs *ctx)
{
	return seal(ctx, PT_REGS_PARM1(ctx), stack_arg(ctx, 8), stack_arg(ctx, 9), stack_arg(ctx, 12), stack_arg(ctx, 13));
}

/* int EVP_AEAD_CTX_open(ctx, out, *out_len, max_out_len, nonce, nonce_len, in, in_len, ad, ad_len): the plaintext
 * exists at return. The socket is the one the thread read the record from. */
SEC("uprobe")
int aead_open_enter(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!allowed(id >> 32))
		return 0;
	struct thread_io *t = bpf_map_lookup_elem(&threads, &id);
	struct tls_call call = {
		.buf = PT_REGS_PARM2(ctx),
		.conn = PT_REGS_PARM1(ctx),
		.len_ptr = PT_REGS_PARM3(ctx),
		.start_ns = bpf_ktime_get_boot_ns(),
		.ad = stack_arg(ctx, 9),
		.ad_len = (__u32)stack_arg(ctx, 10),
		.fd = t ? t->last_read_fd : -1,
	};
	if (as_put_in_place(&read_calls, &id, &call))
		count(AS_STAT_CALL_MAP_FULL, 1);
	return 0;
}

SEC("uretprobe")
int aead_open_exit(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call saved;
	if (!as_call_end(&read_calls, id, &saved))
		return 0;
	size_t n = 0;
	if ((int)PT_REGS_RC(ctx) != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)saved.len_ptr) || n == 0 || n > AS_TLS_CHUNK + 256)
		return 0;

	__u8 type = 0;
	__u8 flags = AS_TLS_ONE_WAY;
	__s64 len = (__s64)n;
	if (saved.ad_len == TLS12_AD_LEN) {
		bpf_probe_read_user(&type, 1, (void *)(saved.ad + 8));
	} else if (saved.ad_len == TLS13_AD_LEN) {
		bpf_probe_read_user(&type, 1, (void *)(saved.buf + n - 1));
		if (type == 0) {
			/* Padded by the peer: the host finds the type before the zeros. */
			type = TLS_APPLICATION_DATA;
			flags |= AS_TLS_PADDED;
		} else {
			len--;
		}
	}
	if (type != TLS_APPLICATION_DATA || len <= 0)
		return 0;
	__u32 tgid = id >> 32;
	if (saved.fd >= 0)
		remember_fd(tgid, saved.conn, saved.fd);
	emit(ctx, AS_TLS_READ, flags, saved.conn, saved.fd, saved.buf, len, saved.start_ns);
	return 0;
}

/* ---- Go's crypto/tls (register ABI: receiver in rax, the slice in rbx/rcx; the goroutine in r14) ---- */

/* On the jump of a Go prologue's stack check: taken (below or equal: CF or ZF) when the stack must grow first, after
 * which the function starts over and comes here again. Only the pass that goes on counts. */
static __always_inline bool go_stack_grows(struct pt_regs *ctx)
{
	return ctx->flags & (0x1 /* CF */ | 0x40 /* ZF */);
}

/* func (c *Conn) Write(b []byte) (int, error): Write sends all of b or fails, so b is read at entry. */
static __always_inline int go_write(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!allowed(tgid))
		return 0;
	__u64 conn = ctx->ax;
	__s64 len = (__s64)ctx->cx;
	if (len <= 0)
		return 0;
	__s32 fd = conn_fd(tgid, conn);
	__u8 flags = 0;
	if (fd < 0 && await_link(id, conn))
		flags |= AS_TLS_LINK_PENDING;
	emit(ctx, AS_TLS_WRITE, flags, conn, fd, ctx->bx, len, bpf_ktime_get_boot_ns());
	return 0;
}

SEC("uprobe")
int go_tls_write_enter(struct pt_regs *ctx)
{
	return go_write(ctx);
}

SEC("uprobe")
int go_tls_write_check(struct pt_regs *ctx)
{
	return go_stack_grows(ctx) ? 0 : go_write(ctx);
}

/* func (c *Conn) Read(b []byte) (int, error): the buffer at entry, keyed by goroutine. */
static __always_inline int go_read(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (!allowed(tgid))
		return 0;
	struct go_key key = { .tgid = tgid, .g = ctx->r14 };
	struct tls_call call = {
		.buf = ctx->bx,
		.conn = ctx->ax,
		.start_ns = bpf_ktime_get_boot_ns(),
		.fd = -1,
	};
	if (bpf_map_update_elem(&go_reads, &key, &call, BPF_ANY))
		count(AS_STAT_CALL_MAP_FULL, 1);
	return 0;
}

SEC("uprobe")
int go_tls_read_enter(struct pt_regs *ctx)
{
	return go_read(ctx);
}

SEC("uprobe")
int go_tls_read_check(struct pt_regs *ctx)
{
	return go_stack_grows(ctx) ? 0 : go_read(ctx);
}

/* At each RET of (*Conn).Read: n in rax. */
SEC("uprobe")
int go_tls_read_return(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct go_key key = { .tgid = tgid, .g = ctx->r14 };
	struct tls_call *call = bpf_map_lookup_elem(&go_reads, &key);
	if (!call)
		return 0;
	struct tls_call saved = *call;
	bpf_map_delete_elem(&go_reads, &key);
	__s64 len = (__s64)ctx->ax;
	if (len <= 0)
		return 0;
	emit(ctx, AS_TLS_READ, 0, saved.conn, conn_fd(tgid, saved.conn), saved.buf, len, saved.start_ns);
	return 0;
}

/* ---- Socket system calls of traced processes ---- */

static __always_inline void sock_record(__u8 kind, __u32 tgid, __u64 id, __s32 fd, __u64 conn, __u64 buf, __u64 length)
{
	__u32 zero = 0;
	struct sock_scratch *s = bpf_map_lookup_elem(&sock_scratch, &zero);
	if (!s)
		return;
	s->hdr.record_kind = AS_REC_SOCK;
	s->hdr.sock_kind = kind;
	s->hdr.pid = tgid;
	s->hdr.tid = (__u32)id;
	s->hdr.uid = (__u32)bpf_get_current_uid_gid();
	s->hdr.ts_ns = bpf_ktime_get_boot_ns();
	s->hdr.conn = conn;
	s->hdr.fd = fd;
	s->hdr.length = length;
	s->hdr.captured = 0;
	bpf_get_current_comm(s->hdr.comm, sizeof(s->hdr.comm));
	__u64 n = 0;
	if (kind == AS_SOCK_HELLO) {
		n = length < AS_HELLO_MAX ? length : AS_HELLO_MAX;
		barrier_var(n);
		if (n > AS_HELLO_MAX)
			n = AS_HELLO_MAX;
		if (bpf_probe_read_user(s->data, n, (void *)buf))
			n = 0;
		s->hdr.captured = n;
	}
	submit(s, sizeof(s->hdr) + n, 0);
}

/* A TLS ClientHello record: handshake (0x16), version 3.x, then the handshake message type 1. */
static __always_inline bool client_hello(__u64 buf, __u64 length)
{
	__u8 head[6];
	if (length < sizeof(head) || bpf_probe_read_user(head, sizeof(head), (void *)buf))
		return false;
	return head[0] == 0x16 && head[1] == 3 && head[2] <= 4 && head[5] == 1;
}

/*
 * Bytes of application-data records (0x17) among the first TLS records of a write. Handshake messages after the
 * hello (a TLS 1.2 key exchange, ChangeCipherSpec) are not counted, so a connection that never carries data is not
 * mistaken for one that does.
 */
static __always_inline __u64 app_data_bytes(__u64 buf, __u64 length)
{
	__u64 total = 0, offset = 0;
	for (int i = 0; i < 4; i++) {
		__u8 head[5];
		if (offset + sizeof(head) > length || bpf_probe_read_user(head, sizeof(head), (void *)(buf + offset)))
			break;
		__u64 size = sizeof(head) + ((__u64)head[3] << 8 | head[4]);
		if (head[0] == TLS_APPLICATION_DATA)
			total += size;
		offset += size;
	}
	return total;
}

static __always_inline void on_socket_write(__s32 fd, __u64 buf, __u64 length)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (fd < 0 || !allowed(tgid))
		return;

	/* A TLS call running on this thread writes through this socket. */
	struct tls_call *call = as_call_active(&write_calls, id);
	if (call && call->fd < 0)
		call->fd = fd;
	call = bpf_map_lookup_elem(&handshake_calls, &id);
	if (call && call->fd < 0)
		call->fd = fd;

	/* A connection object whose plaintext was sent before its socket was known. */
	struct thread_io *t = bpf_map_lookup_elem(&threads, &id);
	if (t && t->pending_conn) {
		__u64 conn = t->pending_conn;
		t->pending_conn = 0;
		remember_fd(tgid, conn, fd);
		sock_record(AS_SOCK_LINK, tgid, id, fd, conn, 0, 0);
	}

	struct sock_key key = { .tgid = tgid, .fd = fd };
	if (client_hello(buf, length)) {
		struct hello_sock fresh = {};
		bpf_map_update_elem(&hello_socks, &key, &fresh, BPF_ANY);
		sock_record(AS_SOCK_HELLO, tgid, id, fd, 0, buf, length);
		return;
	}
	struct hello_sock *h = bpf_map_lookup_elem(&hello_socks, &key);
	if (h) {
		h->written += app_data_bytes(buf, length);
		if (h->written > AS_TLS_DATA_BYTES) {
			bpf_map_delete_elem(&hello_socks, &key);
			sock_record(AS_SOCK_DATA, tgid, id, fd, 0, 0, 0);
		}
	}
}

static __always_inline void on_socket_read(__s32 fd)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (fd < 0 || !allowed(tgid))
		return;
	struct tls_call *call = as_call_active(&read_calls, id);
	if (call && call->fd < 0)
		call->fd = fd;
	call = bpf_map_lookup_elem(&handshake_calls, &id);
	if (call && call->fd < 0)
		call->fd = fd;
	struct thread_io *t = bpf_map_lookup_elem(&threads, &id);
	if (t) {
		t->last_read_fd = fd;
	} else {
		struct thread_io fresh = { .last_read_fd = fd };
		bpf_map_update_elem(&threads, &id, &fresh, BPF_ANY);
	}
}

/* The first buffer of an iovec array (writev, sendmsg): where a ClientHello starts. */
static __always_inline void first_iovec(__u64 iov, __u64 count, __u64 *base, __u64 *length)
{
	struct iovec first = {};
	*base = 0;
	*length = 0;
	if (count == 0 || bpf_probe_read_user(&first, sizeof(first), (void *)iov))
		return;
	*base = (__u64)first.iov_base;
	*length = first.iov_len;
}

SEC("tracepoint/syscalls/sys_enter_write")
int sys_write(struct trace_event_raw_sys_enter *ctx)
{
	on_socket_write((__s32)ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int sys_sendto(struct trace_event_raw_sys_enter *ctx)
{
	on_socket_write((__s32)ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_writev")
int sys_writev(struct trace_event_raw_sys_enter *ctx)
{
	__u64 base, length;
	first_iovec(ctx->args[1], ctx->args[2], &base, &length);
	on_socket_write((__s32)ctx->args[0], base, length);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int sys_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct user_msghdr msg = {};
	__u64 base = 0, length = 0;
	if (!bpf_probe_read_user(&msg, sizeof(msg), (void *)ctx->args[1]))
		first_iovec((__u64)msg.msg_iov, msg.msg_iovlen, &base, &length);
	on_socket_write((__s32)ctx->args[0], base, length);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int sys_read(struct trace_event_raw_sys_enter *ctx)
{
	on_socket_read((__s32)ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_readv")
int sys_readv(struct trace_event_raw_sys_enter *ctx)
{
	on_socket_read((__s32)ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int sys_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	on_socket_read((__s32)ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int sys_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	on_socket_read((__s32)ctx->args[0]);
	return 0;
}
