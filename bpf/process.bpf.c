// SPDX-License-Identifier: MIT
/*
 * Process activity: exec (path and argv), fork, exit (code and signal), file opens (openat and
 * openat2, with their result), connect() with the address and result, and files mapped executable
 * (a library loaded late may carry TLS), for every process or only for a tracked process tree.
 *
 * The tracked map is the one set both programs filter on (tls.bpf.c reuses it): a process is in it
 * because the host put it there (a pid it was given, the recorder's own child), because its name
 * matched a followed comm at exec or rename, or because its parent was in it when it forked. It
 * leaves the map when its last thread exits. Filtering happens before anything is copied.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "agentsight.h"
#include "ring.h"
#include "tls_calls.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

const volatile struct as_proc_config cfg = {
	.magic = AS_CONFIG_MAGIC,
	.filter_mode = AS_FILTER_ALL,
	.emit = AS_EMIT_EXEC | AS_EMIT_FORK | AS_EMIT_EXIT,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct as_tracked);
} tracked SEC(".maps");

/* Not used here: created with this object for the io and tls objects to share (tls_calls.h). */
AS_TLS_CALLS_MAP(read_calls);
AS_TLS_CALLS_MAP(write_calls);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} proc_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AS_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} proc_stats SEC(".maps");

struct open_call {
	__u64 filename;
	__u64 flags;
	__u64 mode;
	__s32 dfd;
	__u32 syscall;
	__u32 active;            /* 0 between two opens of the thread */
	__u32 pad;
};

/* Per thread (thread_calls.h), removed when the thread exits (handle_exit). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct open_call);
} open_calls SEC(".maps");

struct connect_call {
	__u64 addr;
	__u32 addr_len;
	__s32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct connect_call);
} connect_calls SEC(".maps");

/* Files already reported as mapped executable by a process: each is reported once per process (so the host
 * knows what every process mapped, even one gone before it could read /proc/PID/maps). */
struct file_key {
	__u32 tgid;
	__u32 pad;
	__u64 dev;
	__u64 ino;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct file_key);
	__type(value, __u8);
} mapped_files SEC(".maps");

/* Files the host has looked into already (key: dev, ino; written by the host): mapping one needs no early wakeup. */
struct known_file {
	__u64 dev;
	__u64 ino;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct known_file);
	__type(value, __u8);
} known_files SEC(".maps");

/* With probes scoped to the followed processes (cfg.scoped_probes): the files whose probes the host has attached for
 * a process (key: tgid, dev, ino), and, under dev 0 and ino 0, that it has some (written by the host). A followed
 * process about to run a probed file without them is stopped until the host has attached them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct file_key);
	__type(value, __u8);
} probe_links SEC(".maps");

/* Children of a process with probes of its own, forked without exec and not probed yet: held at their first
 * connect() if the host has not attached their probes by then (a forked child may go on with TLS, not only exec). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} unprobed_children SEC(".maps");

struct exec_scratch {
	struct as_exec_record r;
	__u8 data[AS_FILENAME_MAX + AS_ARGS_MAX];
};

struct open_scratch {
	struct as_open_record r;
	__u8 data[AS_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct open_scratch);
} open_scratch SEC(".maps");

static __always_inline void count(__u32 stat, __u64 amount)
{
	as_count(&proc_stats, stat, amount);
}

/* Sends a record; one that does not fit in the ring is counted, with the bytes it carried after its header. */
static __always_inline void submit(void *record, __u64 size, __u64 payload)
{
	as_submit(&proc_events, cfg.wakeup_bytes, record, size, &proc_stats, AS_STAT_RING_FULL, AS_STAT_RING_FULL_BYTES, payload);
}

static __always_inline bool uid_allowed(void)
{
	return !cfg.uid_filter || (__u32)bpf_get_current_uid_gid() == cfg.target_uid;
}

static __always_inline bool comm_matches(const char *comm)
{
	for (int i = 0; i < AS_MAX_COMMS; i++) {
		if (i >= cfg.comm_count)
			return false;
		bool same = true;
		for (int j = 0; j < AS_COMM_LEN; j++) {
			char want = cfg.comms[i][j];
			if (comm[j] != want) {
				same = false;
				break;
			}
			if (!want)
				break;
		}
		if (same)
			return true;
	}
	return false;
}

static __always_inline void track(__u32 tgid)
{
	struct as_tracked value = {};
	long err = bpf_map_update_elem(&tracked, &tgid, &value, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST: already followed */)
		count(AS_STAT_TRACK_MAP_FULL, 1);
}

/* Tracked and not muted (the recorder's launch shim is muted until it execs the command). */
static __always_inline bool traced(__u32 tgid)
{
	if (cfg.filter_mode != AS_FILTER_TRACKED)
		return true;
	struct as_tracked *t = bpf_map_lookup_elem(&tracked, &tgid);
	return t && !t->mute_execs;
}

/*
 * A process that leads its own process group on a terminal is a job of an interactive shell, which would see it stop
 * (waitpid with WUNTRACED) and take the terminal back: such processes are never held.
 */
static __always_inline bool job_of_a_terminal(struct task_struct *task)
{
	if (!BPF_CORE_READ(task, signal, tty))
		return false;
	struct pid *group = BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID]);
	return group && BPF_CORE_READ(group, numbers[0].nr) == BPF_CORE_READ(task, tgid);
}

/* True when `tgid` is about to run a file that has probes, and none of them are attached for it yet. */
static __always_inline bool lacks_probes(__u32 tgid, const struct known_file *file)
{
	if (!cfg.scoped_probes)
		return false;
	__u8 *known = bpf_map_lookup_elem(&known_files, file);
	if (!known || !(*known & AS_KNOWN_PROBED))
		return false;
	struct file_key key = { .tgid = tgid, .dev = file->dev, .ino = file->ino };
	return !bpf_map_lookup_elem(&probe_links, &key);
}

static __always_inline bool has_probes(__u32 tgid)
{
	struct file_key key = { .tgid = tgid };
	return cfg.scoped_probes && bpf_map_lookup_elem(&probe_links, &key);
}

static __always_inline __u32 parent_tgid(struct task_struct *task)
{
	return BPF_CORE_READ(task, real_parent, tgid);
}

static __always_inline void fill_header(struct as_proc_header *h, __u8 kind, __u64 id, struct task_struct *task)
{
	h->record_kind = kind;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->ppid = parent_tgid(task);
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->ts_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (tgid == cfg.self_tgid || !uid_allowed())
		return 0;

	if (cfg.filter_mode == AS_FILTER_TRACKED) {
		struct as_tracked *t = bpf_map_lookup_elem(&tracked, &tgid);
		if (t) {
			if (t->mute_execs) {
				__sync_fetch_and_sub(&t->mute_execs, 1);
				return 0;
			}
		} else {
			char comm[AS_COMM_LEN] = {};
			bpf_get_current_comm(comm, sizeof(comm));
			if (!comm_matches(comm))
				return 0;
			track(tgid);
		}
	}
	if (cfg.scoped_probes)
		bpf_map_delete_elem(&unprobed_children, &tgid);
	if (!(cfg.emit & AS_EMIT_EXEC))
		return 0;

	__u32 zero = 0;
	struct exec_scratch *s = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!s)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	fill_header(&s->r.h, AS_REC_EXEC, id, task);

	long n = bpf_probe_read_kernel_str(s->data, AS_FILENAME_MAX, BPF_CORE_READ(bprm, filename));
	__u64 name_len = n > 0 ? n - 1 : 0; /* without the NUL */
	barrier_var(name_len);
	if (name_len > AS_FILENAME_MAX - 1)
		name_len = AS_FILENAME_MAX - 1;
	s->r.filename_len = name_len;

	__u64 arg_start = BPF_CORE_READ(task, mm, arg_start);
	__u64 arg_end = BPF_CORE_READ(task, mm, arg_end);
	__u64 full = arg_end > arg_start ? arg_end - arg_start : 0;
	__u64 args_len = full < AS_ARGS_MAX ? full : AS_ARGS_MAX;
	barrier_var(args_len);
	if (args_len > AS_ARGS_MAX)
		args_len = AS_ARGS_MAX;
	if (bpf_probe_read_user(s->data + name_len, args_len, (void *)arg_start))
		args_len = 0;
	s->r.args_len = args_len;
	s->r.args_full_len = full;

	__u64 size = sizeof(s->r) + name_len + args_len;
	barrier_var(size);
	if (size > sizeof(*s))
		return 0;
	/* A program the host has not looked into yet wakes it at once: TLS discovery races the program's first
	 * connection. Known ones wait for the next batch like any record. */
	struct known_file known = {
		.dev = BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev),
		.ino = BPF_CORE_READ(bprm, file, f_inode, i_ino),
	};
	__u8 *examined = bpf_map_lookup_elem(&known_files, &known);
	bool unknown = (cfg.emit & AS_EMIT_MMAP) && !examined;
	bool urgent = unknown || lacks_probes(id >> 32, &known);
	bool terminal_job = (urgent || cfg.scoped_probes) && job_of_a_terminal(task);
	bool hold = urgent && cfg.hold_new_programs && !terminal_job;
	/* With scoped probes a job of a terminal could not be stopped at the mapping of a library: the host is told. */
	bool unholdable = cfg.scoped_probes && terminal_job;
	s->r.h.flags = (hold ? AS_PROC_HELD : 0) | (unholdable ? AS_PROC_UNHOLDABLE : 0);
	/* A program that mapped a library with scoped probes before: the host attaches them while it starts, not held. */
	bool soon = urgent || unholdable || (examined && (*examined & AS_KNOWN_MAPS_PROBED));
	if (bpf_ringbuf_output(&proc_events, s, size, soon ? BPF_RB_FORCE_WAKEUP : as_wakeup_flags(&proc_events, cfg.wakeup_bytes))) {
		count(AS_STAT_RING_FULL, 1);
		count(AS_STAT_RING_FULL_BYTES, size - sizeof(s->r));
		return 0; /* never held without the record that makes the host let it go */
	}
	/* Stopped before its first instruction until the host has probed the program (it sends SIGCONT): otherwise a
	 * short-lived program (a Go CLI, Codex started by its Node launcher) makes its first TLS call before the probes.
	 * With scoped probes, a program already looked into is held the same way until its probes are attached for it. */
	if (hold)
		bpf_send_signal(19 /* SIGSTOP */);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 child_pid = BPF_CORE_READ(child, pid);
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	if (child_pid != child_tgid)
		return 0; /* a new thread, not a new process */
	__u32 parent_pid = BPF_CORE_READ(parent, tgid);
	if (parent_pid == cfg.self_tgid || !uid_allowed())
		return 0;

	if (cfg.filter_mode == AS_FILTER_TRACKED) {
		if (!bpf_map_lookup_elem(&tracked, &parent_pid))
			return 0;
		track(child_tgid);
	}
	/* The child of a process with probes of its own runs the same files, unprobed for it until the host attaches
	 * them (it usually execs first, and needs none). */
	bool probed = has_probes(parent_pid);
	/* vfork and posix_spawn share the parent's memory until the child execs: nothing to probe for it. */
	if (probed && BPF_CORE_READ(child, mm) != BPF_CORE_READ(parent, mm)) {
		__u8 one = 1;
		bpf_map_update_elem(&unprobed_children, &child_tgid, &one, BPF_ANY);
	}
	if (!(cfg.emit & AS_EMIT_FORK) && !probed)
		return 0;

	struct as_proc_header h = {};
	h.record_kind = AS_REC_FORK;
	h.flags = (probed ? AS_PROC_PROBED : 0) | (cfg.emit & AS_EMIT_FORK ? 0 : AS_PROC_QUIET);
	h.pid = child_tgid;
	h.tid = child_pid;
	h.ppid = BPF_CORE_READ(child, real_parent, tgid);
	h.uid = (__u32)bpf_get_current_uid_gid();
	h.ts_ns = bpf_ktime_get_boot_ns();
	BPF_CORE_READ_STR_INTO(&h.comm, child, comm);
	if (probed) {
		if (bpf_ringbuf_output(&proc_events, &h, sizeof(h), BPF_RB_FORCE_WAKEUP))
			count(AS_STAT_RING_FULL, 1);
		return 0;
	}
	submit(&h, sizeof(h), 0);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	__u64 id = bpf_get_current_pid_tgid();
	/* Every thread keeps its TLS call and open entries from one call to the next (tls_calls.h, open_calls): they go
	 * with it. */
	bpf_map_delete_elem(&read_calls, &id);
	bpf_map_delete_elem(&write_calls, &id);
	bpf_map_delete_elem(&open_calls, &id);

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/* Only the last thread of a process ends it; `live` has been decremented by now. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	__u32 tgid = id >> 32;
	if (tgid == cfg.self_tgid)
		return 0;

	if (cfg.filter_mode == AS_FILTER_TRACKED) {
		if (!bpf_map_lookup_elem(&tracked, &tgid))
			return 0;
		/* Reported even while muted: a launch that never reached the command still ends. */
		bpf_map_delete_elem(&tracked, &tgid);
		if (cfg.scoped_probes)
			bpf_map_delete_elem(&unprobed_children, &tgid);
	} else if (!uid_allowed()) {
		return 0;
	}
	if (!(cfg.emit & AS_EMIT_EXIT))
		return 0;

	struct as_exit_record r = {};
	fill_header(&r.h, AS_REC_EXIT, id, task);
	r.exit_code = BPF_CORE_READ(task, exit_code);
	submit(&r, sizeof(r), 0);
	return 0;
}

/* A followed name can also be taken after exec (prctl(PR_SET_NAME), process.title in Node). */
SEC("raw_tp/task_rename")
int BPF_PROG(handle_rename, struct task_struct *task, const char *comm)
{
	if (cfg.filter_mode != AS_FILTER_TRACKED || cfg.comm_count == 0)
		return 0;
	if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid))
		return 0; /* a thread naming itself, not the process */
	__u32 tgid = BPF_CORE_READ(task, tgid);
	if (tgid == cfg.self_tgid || !uid_allowed() || bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	char name[AS_COMM_LEN] = {};
	bpf_probe_read_kernel_str(name, sizeof(name), comm);
	if (!comm_matches(name))
		return 0;
	track(tgid);
	/* It may run files with TLS already: with scoped probes the host attaches them for it (no hold: it runs). */
	if (cfg.scoped_probes) {
		struct as_proc_header h = {};
		h.record_kind = AS_REC_RENAMED;
		h.pid = tgid;
		h.tid = tgid;
		h.ppid = parent_tgid(task);
		h.uid = (__u32)bpf_get_current_uid_gid();
		h.ts_ns = bpf_ktime_get_boot_ns();
		__builtin_memcpy(h.comm, name, sizeof(h.comm));
		if (bpf_ringbuf_output(&proc_events, &h, sizeof(h), BPF_RB_FORCE_WAKEUP))
			count(AS_STAT_RING_FULL, 1);
	}
	return 0;
}

static __always_inline int open_enter(__s32 dfd, const char *filename, __u64 flags, __u64 mode, __u32 syscall)
{
	if (!(cfg.emit & AS_EMIT_OPEN))
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (tgid == cfg.self_tgid || !uid_allowed() || !traced(tgid))
		return 0;
	struct open_call call = {
		.filename = (__u64)filename,
		.flags = flags,
		.mode = mode,
		.dfd = dfd,
		.syscall = syscall,
		.active = 1,
	};
	if (as_put_in_place(&open_calls, &id, &call))
		count(AS_STAT_CALL_MAP_FULL, 1);
	return 0;
}

static __always_inline int open_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct open_call *found = bpf_map_lookup_elem(&open_calls, &id);
	if (!found || !found->active)
		return 0;
	struct open_call call = *found;
	found->active = 0;

	__u32 zero = 0;
	struct open_scratch *s = bpf_map_lookup_elem(&open_scratch, &zero);
	if (!s)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	fill_header(&s->r.h, AS_REC_OPEN, id, task);
	s->r.ret = ret;
	s->r.flags = call.flags;
	s->r.mode = call.mode;
	s->r.dfd = call.dfd;
	s->r.syscall = call.syscall;

	/* Read at return: the kernel has just faulted the path in, so the copy does not fail on a
	 * page that was not resident yet. */
	long n = bpf_probe_read_user_str(s->data, AS_PATH_MAX, (void *)call.filename);
	__u64 len = n > 0 ? n - 1 : 0;
	barrier_var(len);
	if (len > AS_PATH_MAX - 1)
		len = AS_PATH_MAX - 1;
	s->r.path_len = len;

	__u64 size = sizeof(s->r) + len;
	barrier_var(size);
	if (size > sizeof(*s))
		return 0;
	submit(s, size, size - sizeof(s->r));
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int handle_openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter((__s32)ctx->args[0], (const char *)ctx->args[1], ctx->args[2], ctx->args[3], 0);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int handle_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int handle_openat2_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};
	if (bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]))
		how.flags = how.mode = 0;
	return open_enter((__s32)ctx->args[0], (const char *)ctx->args[1], how.flags, how.mode, 1);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int handle_openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

/* ---- connect(): where traced processes connect to, and whether it worked ---- */

SEC("tracepoint/syscalls/sys_enter_connect")
int handle_connect_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (!(cfg.emit & AS_EMIT_CONNECT))
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (tgid == cfg.self_tgid || !uid_allowed() || !traced(tgid))
		return 0;
	struct connect_call call = {
		.fd = (__s32)ctx->args[0],
		.addr = ctx->args[1],
		.addr_len = (__u32)ctx->args[2],
	};
	if (bpf_map_update_elem(&connect_calls, &id, &call, BPF_ANY))
		count(AS_STAT_CALL_MAP_FULL, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int handle_connect_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct connect_call *found = bpf_map_lookup_elem(&connect_calls, &id);
	if (!found)
		return 0;
	struct connect_call call = *found;
	bpf_map_delete_elem(&connect_calls, &id);

	struct as_connect_record r = {};
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	fill_header(&r.h, AS_REC_CONNECT, id, task);
	r.fd = call.fd;
	r.ret = (__s32)ctx->ret;
	__u32 len = call.addr_len < AS_SOCKADDR_MAX ? call.addr_len : AS_SOCKADDR_MAX;
	barrier_var(len);
	if (len > AS_SOCKADDR_MAX)
		len = AS_SOCKADDR_MAX;
	if (len && bpf_probe_read_user(r.addr, len, (void *)call.addr))
		len = 0;
	r.addr_len = len;
	__u32 tgid = id >> 32;
	bool hold = false;
	if (cfg.scoped_probes && bpf_map_lookup_elem(&unprobed_children, &tgid)) {
		bpf_map_delete_elem(&unprobed_children, &tgid);
		/* Stopped when connect() returns, before any TLS on the connection, until its probes are attached. */
		hold = !has_probes(tgid) && cfg.hold_new_programs && !job_of_a_terminal(task);
	}
	if (!hold) {
		submit(&r, sizeof(r), 0);
		return 0;
	}
	r.h.flags = AS_PROC_HELD;
	if (bpf_ringbuf_output(&proc_events, &r, sizeof(r), BPF_RB_FORCE_WAKEUP)) {
		count(AS_STAT_RING_FULL, 1);
		return 0;
	}
	bpf_send_signal(19 /* SIGSTOP */);
	return 0;
}

/* ---- mmap(PROT_EXEC) of a file: a library loaded after start (dlopen, a Node addon) ---- */

#define AS_PROT_EXEC 4

SEC("tracepoint/syscalls/sys_enter_mmap")
int handle_mmap(struct trace_event_raw_sys_enter *ctx)
{
	if (!(cfg.emit & AS_EMIT_MMAP) || !(ctx->args[2] & AS_PROT_EXEC))
		return 0;
	__s32 fd = (__s32)ctx->args[4];
	if (fd < 0)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	if (tgid == cfg.self_tgid || !uid_allowed() || !traced(tgid))
		return 0;

	/* The file behind the fd, through the task's file table. */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	struct file **files = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &files[fd]) || !file)
		return 0;
	struct file_key key = {
		.tgid = tgid,
		.dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev),
		.ino = BPF_CORE_READ(file, f_inode, i_ino),
	};
	struct known_file known = { .dev = key.dev, .ino = key.ino };
	bool unprobed = lacks_probes(tgid, &known);
	__u8 one = 1;
	if (bpf_map_update_elem(&mapped_files, &key, &one, BPF_NOEXIST) && !unprobed)
		return 0; /* this process mapped it before */

	struct as_mmap_record r = {};
	fill_header(&r.h, AS_REC_MMAP, id, task);
	r.dev = key.dev;
	r.ino = key.ino;
	/* A library with probes not yet attached for this process: stopped when the mmap returns, before the library's
	 * first instruction, until the host has attached them (it sends SIGCONT). */
	bool hold = unprobed && cfg.hold_new_programs && !job_of_a_terminal(task);
	r.h.flags = hold ? AS_PROC_HELD : 0;
	/* A file the host has not looked into wakes it at once: its TLS functions should be probed before the
	 * library makes its first call. */
	__u64 wakeup = bpf_map_lookup_elem(&known_files, &known) && !unprobed ? as_wakeup_flags(&proc_events, cfg.wakeup_bytes) : BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&proc_events, &r, sizeof(r), wakeup)) {
		count(AS_STAT_RING_FULL, 1);
		bpf_map_delete_elem(&mapped_files, &key);
		return 0; /* never held without the record that makes the host let it go */
	}
	if (hold)
		bpf_send_signal(19 /* SIGSTOP */);
	return 0;
}
