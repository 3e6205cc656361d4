// SPDX-License-Identifier: MIT
/*
 * Plaintext bytes of traced processes that no TLS library hands over: sockets that carry no TLS (TCP, and UNIX
 * stream sockets with an address), and stdio (pipes, FIFOs, terminals, and the address-less UNIX socket pairs
 * Node's child_process uses for a child's stdin and stdout).
 *
 * Every program starts with the tracked map: a process outside the followed tree costs one hash lookup per
 * read or write family system call, and the return side one more (its call map has no entry). Only then is the
 * descriptor looked at (task -> files -> fdtable -> file -> inode), and only sockets, pipes, FIFOs and ttys go on.
 *
 * The bytes are copied at the system call's return, when the kernel says how many moved (a non-blocking write may
 * move fewer than asked; a read's bytes exist only then). A call larger than one chunk goes out as several records
 * in order, as in tls.bpf.c; the host joins them.
 *
 * No byte is captured twice:
 *  - a socket whose bytes start with a TLS record header (0x14-0x17, 0x03, version <= 4) is left to the TLS probes,
 *    from then on (the verdict sticks to the socket's inode);
 *  - on a pipe or socket pair, a read is skipped when the other end was last used by a traced process: that
 *    process's write carried the same bytes (the `ends` map remembers which process used which end).
 *
 * stdio is filtered per stream: in jsonrpc mode the first bytes a stream carries decide whether it is kept (a
 * '{', a '[' or "Content-Length:", after white space); a build's output is not. Each process may add at most
 * cfg.stdio_limit bytes of stdio. Everything left out is counted in io_stats, never dropped silently.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "agentsight.h"
#include "ring.h"
#include "tls_calls.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define PIPEFS_MAGIC 0x50495045
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define MINORBITS 20

const volatile struct as_io_config cfg = {
	.magic = AS_CONFIG_MAGIC,
	.sockets = 1,
	.stdio_mode = AS_STDIO_JSONRPC,
	.max_capture = 4 * 1024 * 1024,     /* the host's defaults, so that bpftool prog loadall checks what runs */
	.stdio_limit = 32 * 1024 * 1024,
	.wakeup_bytes = 1024 * 1024,
};

/* Process tree to follow; maintained by process.bpf.c, shared through bpf_map__reuse_fd. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct as_tracked);
} tracked SEC(".maps");

/* The TLS calls in progress, filled by tls.bpf.c; created by process.bpf.c (tls_calls.h). */
AS_TLS_CALLS_MAP(read_calls);
AS_TLS_CALLS_MAP(write_calls);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} io_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AS_IO_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} io_stats SEC(".maps");

/* One end of a pipe (its inode and which side) or of a socket pair (that socket's inode): who used it last. */
struct end_key {
	__u64 ino;
	__u32 side;              /* 0: a socket pair end; 1: a pipe's write side; 2: its read side */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct end_key);
	__type(value, __u32);
} ends SEC(".maps");

/* What the entry saw, for the return of the same thread. */
struct io_call {
	__u64 buf;               /* the buffer, or the iovec array */
	__u64 count;             /* the iovec count (vector calls) */
	__u64 start_ns;
	__u64 stream;
	__u64 peer_end;          /* the other end's key (struct end_key): who used it is looked up at return */
	__u32 peer_side;
	__s32 fd;
	__u8 direction;
	__u8 kind;
	__u8 vector;
	__u8 active;             /* 0 between two calls of the thread */
	__u8 pad[4];
};

/* LRU: a thread killed inside a blocking read never returns, and its entry must not stay forever (thread_calls.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct io_call);
} io_calls SEC(".maps");

enum stream_verdict {
	VERDICT_UNDECIDED = 0,
	VERDICT_KEEP = 1,
	VERDICT_DROP = 2,        /* stdio that does not look like JSON-RPC (jsonrpc mode) */
	VERDICT_TLS = 3,         /* a socket carrying TLS records: the TLS probes' */
};

/* Per stream (socket inode, or the stdio stream id): what its bytes were found to be. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} streams SEC(".maps");


/* stdio bytes captured per process, against cfg.stdio_limit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} stdio_bytes SEC(".maps");


static __always_inline void count(__u32 stat, __u64 amount)
{
	as_count(&io_stats, stat, amount);
}

static __always_inline bool submit(void *record, __u64 size, __u64 bytes)
{
	return as_submit(&io_events, cfg.wakeup_bytes, record, size, &io_stats, AS_IO_STAT_RING_FULL, AS_IO_STAT_RING_FULL_BYTES, bytes);
}

static __always_inline bool is_stdio(__u8 kind)
{
	return kind >= AS_IO_PIPE;
}

struct fd_info {
	__u64 stream;
	__u64 own;               /* a socket pair end's own inode */
	__u64 peer;              /* the other end's inode */
	__u8 kind;
};

/* What descriptor `fd` of the current process is; false for anything not captured. */
static __always_inline bool classify(__s32 fd, struct fd_info *info)
{
	if (fd < 0)
		return false;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return false;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return false;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u16 mode = BPF_CORE_READ(inode, i_mode);
	__u64 ino = BPF_CORE_READ(inode, i_ino);
	info->stream = ino;
	switch (mode & S_IFMT) {
	case S_IFSOCK: {
		struct socket *sock = BPF_CORE_READ(file, private_data);
		struct sock *sk = BPF_CORE_READ(sock, sk);
		if (!sk || BPF_CORE_READ(sk, sk_type) != SOCK_STREAM)
			return false;
		__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
		if (family == AF_INET || family == AF_INET6) {
			info->kind = AS_IO_TCP;
			return cfg.sockets && BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP;
		}
		if (family != AF_UNIX)
			return false;
		struct unix_sock *u = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(u, peer);
		bool named = BPF_CORE_READ(u, addr) || (peer && BPF_CORE_READ((struct unix_sock *)peer, addr));
		if (named) {
			info->kind = AS_IO_UNIX_SOCKET;
			return cfg.sockets;
		}
		/* A socket pair: the two ends have their own inodes; the stream is named after the smaller. */
		info->kind = AS_IO_UNIX_PAIR;
		info->own = ino;
		info->peer = peer ? BPF_CORE_READ(peer, sk_socket, file, f_inode, i_ino) : 0;
		if (info->peer && info->peer < ino)
			info->stream = info->peer;
		return cfg.stdio_mode != AS_STDIO_OFF;
	}
	case S_IFIFO:
		info->kind = BPF_CORE_READ(inode, i_sb, s_magic) == PIPEFS_MAGIC ? AS_IO_PIPE : AS_IO_FIFO;
		return cfg.stdio_mode != AS_STDIO_OFF;
	case S_IFCHR: {
		__u32 major = BPF_CORE_READ(inode, i_rdev) >> MINORBITS;
		/* ttyN and serial lines (4), /dev/tty and ptmx (5), pseudo-terminals (136-143). */
		if (major != 4 && major != 5 && (major < 136 || major > 143))
			return false;
		info->kind = AS_IO_TTY;
		return cfg.stdio_mode != AS_STDIO_OFF;
	}
	default:
		return false;
	}
}

/*
 * Records that this process uses its end of a pipe or socket pair, and says which key names the other end (its
 * ino is 0 when there is none to look up).
 */
static __always_inline void meet_peer(__u32 tgid, struct fd_info *info, __u8 direction, struct end_key *other)
{
	struct end_key mine = {}, theirs = {};
	if (info->kind == AS_IO_UNIX_PAIR) {
		mine.ino = info->own;
		theirs.ino = info->peer;
	} else if (info->kind == AS_IO_PIPE || info->kind == AS_IO_FIFO) {
		mine.ino = theirs.ino = info->stream;
		mine.side = direction == AS_IO_WRITE ? 1 : 2;
		theirs.side = direction == AS_IO_WRITE ? 2 : 1;
	} else {
		return;
	}
	__u32 *known = bpf_map_lookup_elem(&ends, &mine);
	if (!known || *known != tgid)
		bpf_map_update_elem(&ends, &mine, &tgid, BPF_ANY);
	*other = theirs;
}

/* The process last seen at the other end (0 when none, or this process itself). */
static __always_inline __u32 peer_of(__u32 tgid, __u64 ino, __u32 side)
{
	if (!ino)
		return 0;
	struct end_key theirs = { .ino = ino, .side = side };
	__u32 *peer = bpf_map_lookup_elem(&ends, &theirs);
	return peer && *peer != tgid ? *peer : 0;
}

/*
 * The TLS library's own socket call, made inside an SSL read or write of this thread: TLS records, the TLS probes'
 * alone, with nothing to do at its return either. One map lookup instead of looking the descriptor up in the kernel's
 * tables. As the tls object does, the first socket call inside a TLS call is taken to be on its socket; a later call
 * on another descriptor is looked into as usual.
 */
static __always_inline bool in_tls_call(__u64 id, __s32 fd, __u8 direction)
{
	struct tls_call *call = direction == AS_IO_READ ? as_call_active(&read_calls, id) : as_call_active(&write_calls, id);
	return call && (call->fd < 0 || call->fd == fd);
}

static __always_inline void io_enter(__s32 fd, __u64 buf, __u64 count_or_iovs, __u8 direction, __u8 vector)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct as_tracked *t = bpf_map_lookup_elem(&tracked, &tgid);
	if (!t || t->mute_execs)
		return;
	if (cfg.uid_filter && (__u32)bpf_get_current_uid_gid() != cfg.target_uid)
		return;
	if (in_tls_call(id, fd, direction)) {
		count(AS_IO_STAT_TLS_CALLS, 1);
		return;
	}
	struct fd_info info = {};
	if (!classify(fd, &info))
		return;
	if (!is_stdio(info.kind)) {
		/* A socket known to carry TLS: the TLS probes' alone; nothing to do at its return either. */
		__u8 *verdict = bpf_map_lookup_elem(&streams, &info.stream);
		if (verdict && *verdict == VERDICT_TLS) {
			count(AS_IO_STAT_TLS_CALLS, 1);
			return;
		}
	}
	struct end_key other = {};
	if (is_stdio(info.kind)) {
		meet_peer(tgid, &info, direction, &other);
		/* The traced writer's write carried these bytes already (checked again at return: the writer may come later). */
		__u32 peer = peer_of(tgid, other.ino, other.side);
		if (direction == AS_IO_READ && peer && bpf_map_lookup_elem(&tracked, &peer))
			return;
	}
	struct io_call call = {
		.buf = buf,
		.count = count_or_iovs,
		.start_ns = bpf_ktime_get_boot_ns(),
		.stream = info.stream,
		.fd = fd,
		.peer_end = other.ino,
		.peer_side = other.side,
		.direction = direction,
		.kind = info.kind,
		.vector = vector,
		.active = 1,
	};
	if (as_put_in_place(&io_calls, &id, &call))
		count(AS_IO_STAT_CALL_MAP_FULL, 1);
}

/*
 * The first bytes of a call, packed little-endian into a scalar: the checks below are global functions, verified once
 * on their own, which keeps io_return within the verifier's budget.
 */

/* A TLS record header: content type 20-23, major version 3, minor version 0-4. */
__noinline bool tls_record(__u64 head, __u64 length)
{
	__u8 type = head & 0xff, major = (head >> 8) & 0xff, minor = (head >> 16) & 0xff;
	return length >= 3 && type >= 0x14 && type <= 0x17 && major == 3 && minor <= 4;
}

/* The first bytes of a JSON-RPC stream: a JSON object or batch (after white space), or a Content-Length header. */
__noinline bool jsonrpc_start(__u64 head, __u64 length)
{
	if (length >= 8 && head == 0x2d746e65746e6f43ULL) /* "Content-" */
		return true;
	for (int i = 0; i < 8; i++) {
		if ((__u64)i >= length)
			return false;
		__u8 c = (head >> (8 * i)) & 0xff;
		if (c == '{' || c == '[')
			return true;
		if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
			return false;
	}
	return false;
}

/*
 * Where a call's copy stands. It lives in the per-CPU scratch map, not on the stack: the verifier does not follow
 * values in map memory, so the bpf_loop callback below is verified once instead of once per distinct state.
 */
struct piece_state {
	__u64 iovs;              /* the iovec array (vector calls), else 0 */
	__u64 iov_count;
	__u64 iov_index;
	__u64 base;              /* where the current segment's next byte is */
	__u64 left;              /* bytes left in the current segment */
	__u64 offset;            /* bytes of the call sent so far */
	__u64 captured;          /* bytes to send for the whole call */
	__u64 done;              /* the last piece went out */
};

struct io_scratch {
	struct piece_state st;
	struct as_io_record hdr;
	__u8 data[AS_IO_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct io_scratch);
} io_scratch SEC(".maps");

/* Sends the next piece of a call (one piece never spans two iovecs); returns 1 to stop. */
static long send_piece(__u32 index, void *unused)
{
	__u32 zero = 0;
	struct io_scratch *s = bpf_map_lookup_elem(&io_scratch, &zero);
	if (!s)
		return 1;
	struct piece_state *c = &s->st;
	if (c->offset >= c->captured)
		return 1;
	if (c->left == 0) {
		struct iovec iov = {};
		if (!c->iovs || c->iov_index >= c->iov_count
			|| bpf_probe_read_user(&iov, sizeof(iov), (void *)(c->iovs + c->iov_index * sizeof(iov))))
			return 1;
		c->iov_index++;
		c->base = (__u64)iov.iov_base;
		c->left = iov.iov_len;
		return 0;
	}
	__u64 n = c->captured - c->offset;
	if (n > c->left)
		n = c->left;
	if (n > AS_IO_CHUNK)
		n = AS_IO_CHUNK;
	barrier_var(n);
	if (n > AS_IO_CHUNK)
		return 1;

	s->hdr.offset = c->offset;
	s->hdr.flags = c->offset == 0 ? AS_TLS_FIRST : 0;
	bool last = c->offset + n >= c->captured;
	if (last)
		s->hdr.flags |= AS_TLS_LAST;
	__u64 sent = n;
	if (bpf_probe_read_user(s->data, n, (void *)c->base)) {
		s->hdr.flags |= AS_TLS_COPY_FAILED;
		count(AS_IO_STAT_COPY_FAILED, 1);
		sent = 0;
	}
	s->hdr.captured = sent;
	barrier_var(sent);
	if (sent > AS_IO_CHUNK)
		return 1;
	if (!submit(&s->hdr, sizeof(s->hdr) + sent, c->captured - c->offset))
		return 1;
	c->offset += n;
	c->base += n;
	c->left -= n;
	c->done = last;
	return last ? 1 : 0;
}

/* Bytes of stdio this process may still add, taking `want` of them (0: none left). */
static __always_inline __u64 take_stdio_budget(__u32 tgid, __u64 want)
{
	__u64 *used = bpf_map_lookup_elem(&stdio_bytes, &tgid);
	if (!used) {
		__u64 zero = 0;
		bpf_map_update_elem(&stdio_bytes, &tgid, &zero, BPF_NOEXIST);
		used = bpf_map_lookup_elem(&stdio_bytes, &tgid);
		if (!used)
			return 0;
	}
	__u64 before = *used;
	if (before >= cfg.stdio_limit)
		return 0;
	__u64 room = cfg.stdio_limit - before;
	__u64 take = want < room ? want : room;
	__sync_fetch_and_add(used, take);
	return take;
}

static __always_inline void io_exit(__s64 ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct io_call *found = bpf_map_lookup_elem(&io_calls, &id);
	if (!found || !found->active)
		return;
	struct io_call call = *found;
	found->active = 0;
	if (ret <= 0)
		return;
	__u32 tgid = id >> 32;

	__u32 zero = 0;
	struct io_scratch *s = bpf_map_lookup_elem(&io_scratch, &zero);
	if (!s)
		return;
	struct piece_state *c = &s->st;
	__builtin_memset(c, 0, sizeof(*c));
	if (call.vector) {
		c->iovs = call.buf;
		c->iov_count = call.count;
		/* The first segment, for the looks below. */
		struct iovec iov = {};
		if (call.count == 0 || bpf_probe_read_user(&iov, sizeof(iov), (void *)call.buf))
			return;
		c->iov_index = 1;
		c->base = (__u64)iov.iov_base;
		c->left = iov.iov_len;
	} else {
		c->base = call.buf;
		c->left = (__u64)ret;
	}
	__u64 head = 0;
	__u64 head_len = c->left < (__u64)ret ? c->left : (__u64)ret;
	if (head_len > sizeof(head))
		head_len = sizeof(head);
	barrier_var(head_len);
	if (head_len > sizeof(head) || bpf_probe_read_user(&head, head_len, (void *)c->base))
		head_len = 0;

	bool stdio = is_stdio(call.kind);
	__u32 peer = 0;
	if (stdio) {
		/* A read that blocked until a traced process wrote: that write is the event. */
		peer = peer_of(tgid, call.peer_end, call.peer_side);
		if (call.direction == AS_IO_READ && peer && bpf_map_lookup_elem(&tracked, &peer))
			return;
	}
	__u8 *verdict = bpf_map_lookup_elem(&streams, &call.stream);
	__u8 now = verdict ? *verdict : VERDICT_UNDECIDED;
	if (!stdio) {
		if (now == VERDICT_TLS || tls_record(head, head_len)) {
			if (now != VERDICT_TLS) {
				__u8 tls = VERDICT_TLS;
				bpf_map_update_elem(&streams, &call.stream, &tls, BPF_ANY);
			}
			count(AS_IO_STAT_TLS_CALLS, 1);
			return;
		}
	} else if (cfg.stdio_mode == AS_STDIO_JSONRPC) {
		if (now == VERDICT_UNDECIDED) {
			now = jsonrpc_start(head, head_len) ? VERDICT_KEEP : VERDICT_DROP;
			bpf_map_update_elem(&streams, &call.stream, &now, BPF_ANY);
		}
		if (now == VERDICT_DROP) {
			count(AS_IO_STAT_STDIO_FILTERED_BYTES, ret);
			return;
		}
	}

	__u64 captured = (__u64)ret < cfg.max_capture ? (__u64)ret : cfg.max_capture;
	if (stdio) {
		__u64 allowed = take_stdio_budget(tgid, captured);
		if (allowed == 0) {
			count(AS_IO_STAT_STDIO_LIMIT_BYTES, ret);
			return;
		}
		if (captured < (__u64)ret)
			count(AS_IO_STAT_STDIO_TRUNCATED_BYTES, (__u64)ret - captured);
		if (allowed < captured) {
			count(AS_IO_STAT_STDIO_LIMIT_BYTES, captured - allowed);
			captured = allowed;
		}
		count(AS_IO_STAT_STDIO_CALLS, 1);
	} else {
		if (captured < (__u64)ret)
			count(AS_IO_STAT_SOCKET_TRUNCATED_BYTES, (__u64)ret - captured);
		count(AS_IO_STAT_SOCKET_CALLS, 1);
	}

	c->captured = captured;
	struct as_io_record *h = &s->hdr;
	h->record_kind = AS_REC_IO;
	h->direction = call.direction;
	h->io_kind = call.kind;
	h->pid = tgid;
	h->tid = (__u32)id;
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->start_ns = call.start_ns;
	h->end_ns = bpf_ktime_get_boot_ns();
	h->stream = call.stream;
	h->len = ret;
	h->offset = 0;
	h->captured = 0;
	h->call_captured = (__u32)captured;
	h->fd = call.fd;
	h->peer_pid = peer;
	bpf_get_current_comm(h->comm, sizeof(h->comm));

	if (captured == 0) {
		h->flags = AS_TLS_FIRST | AS_TLS_LAST;
		submit(h, sizeof(*h), 0);
		return;
	}
	bpf_loop(AS_IO_MAX_PIECES, send_piece, NULL, 0);
	if (!c->done) {
		/* Cut short (a full ring, or iovecs that ended early): the host ends the call with what arrived. */
		h->flags = AS_TLS_LAST | AS_TLS_ABORTED;
		h->captured = 0;
		h->offset = c->offset;
		submit(h, sizeof(*h), 0);
	}
}

SEC("tracepoint/syscalls/sys_enter_write")
int io_write(struct trace_event_raw_sys_enter *ctx)
{
	io_enter((__s32)ctx->args[0], ctx->args[1], 0, AS_IO_WRITE, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int io_sendto(struct trace_event_raw_sys_enter *ctx)
{
	io_enter((__s32)ctx->args[0], ctx->args[1], 0, AS_IO_WRITE, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_writev")
int io_writev(struct trace_event_raw_sys_enter *ctx)
{
	io_enter((__s32)ctx->args[0], ctx->args[1], ctx->args[2], AS_IO_WRITE, 1);
	return 0;
}

static __always_inline void msg_enter(struct trace_event_raw_sys_enter *ctx, __u8 direction)
{
	/* Only a traced process's message header is worth reading; io_enter checks again, at no extra cost. */
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return;
	struct user_msghdr msg = {};
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)ctx->args[1]))
		return;
	io_enter((__s32)ctx->args[0], (__u64)msg.msg_iov, msg.msg_iovlen, direction, 1);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int io_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	msg_enter(ctx, AS_IO_WRITE);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int io_read(struct trace_event_raw_sys_enter *ctx)
{
	io_enter((__s32)ctx->args[0], ctx->args[1], 0, AS_IO_READ, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int io_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	io_enter((__s32)ctx->args[0], ctx->args[1], 0, AS_IO_READ, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_readv")
int io_readv(struct trace_event_raw_sys_enter *ctx)
{
	io_enter((__s32)ctx->args[0], ctx->args[1], ctx->args[2], AS_IO_READ, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int io_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	msg_enter(ctx, AS_IO_READ);
	return 0;
}

/* Attached to the return of each system call above. */
SEC("tracepoint/syscalls/sys_exit_write")
int io_return(struct trace_event_raw_sys_exit *ctx)
{
	io_exit(ctx->ret);
	return 0;
}
