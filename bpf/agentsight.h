/* SPDX-License-Identifier: MIT */
/*
 * Records and settings shared by the BPF programs (tls.bpf.c, process.bpf.c, io.bpf.c) and the host
 * (host/Capture/Records.cs mirrors every struct here, field for field; change both together).
 *
 * Rules that keep the two sides in step: fixed-width types only, explicit padding, every size
 * #define'd here, and each record starts with the same 4-byte tag so a reader can tell kinds apart.
 */
#ifndef AGENTSIGHT_H
#define AGENTSIGHT_H

/*
 * Map sizes are paid for at every start: the kernel builds a preallocated hash's free list, and an LRU hash's lists,
 * entry by entry when the map is created (about 0.1 s of system time a run for 16,384 + 65,536-entry maps, perf).
 * Plain hashes of the objects (in-flight calls, the tracked tree, files looked into) are therefore BPF_F_NO_PREALLOC:
 * an entry is taken from the kernel's BPF allocator at insert, safe in any program since 6.1. LRU hashes cannot skip
 * preallocation, so none is larger than 16,384 entries (per thread, process, connection or stream of traced programs).
 */
#define AS_COMM_LEN 16

/* Payload bytes one TLS record carries. A TLS record holds at most 16 KiB of plaintext, so a read
 * never needs more than one; larger writes are cut into several records (pieces) of one call. */
#define AS_TLS_CHUNK 16384

/* Upper bound of pieces per call, so the verifier can bound the loop: 256 x 16 KiB = 4 MiB. */
#define AS_TLS_MAX_PIECES 256

/* Exec records: the executed file's path, then argv (NUL-separated, as the kernel keeps it). */
#define AS_FILENAME_MAX 4096
#define AS_ARGS_MAX 16384

/* File opens: the path as passed to the call. */
#define AS_PATH_MAX 4096

/* Comm names the host asks to follow (record/trace -c): matched at exec and at rename. */
#define AS_MAX_COMMS 16

#define AS_CONFIG_MAGIC 0xA6E51647u

enum as_record_kind {
	AS_REC_TLS = 1,
	AS_REC_EXEC = 2,
	AS_REC_FORK = 3,
	AS_REC_EXIT = 4,
	AS_REC_OPEN = 5,
	AS_REC_SOCK = 6,         /* struct as_sock_record (TLS ring): what the socket system calls tell about TLS */
	AS_REC_CONNECT = 7,      /* struct as_connect_record (process ring) */
	AS_REC_MMAP = 8,         /* struct as_mmap_record (process ring): a file mapped executable */
	AS_REC_IO = 9,           /* struct as_io_record (io ring): plaintext socket, pipe, tty or socket-pair bytes */
	AS_REC_RENAMED = 10,     /* struct as_proc_header (process ring): a running process followed from its new name */
};

/* What an as_sock_record says. */
enum as_sock_kind {
	AS_SOCK_LINK = 1,        /* a connection object (conn) writes to socket fd: learned after the plaintext was sent */
	AS_SOCK_HELLO = 2,       /* a TLS ClientHello was written to fd; its first bytes follow */
	AS_SOCK_DATA = 3,        /* the socket then carried application data (more than AS_TLS_DATA_BYTES written) */
};

/* Bytes of application-data records (type 0x17) written after a ClientHello that mean application data flows:
 * more than a TLS 1.3 client's Finished alone, which is sent as one (58 or 74 bytes). */
#define AS_TLS_DATA_BYTES 74

/* How much of a ClientHello is copied (server name and ALPN are read from it). */
#define AS_HELLO_MAX 2048

/* Socket addresses copied at connect(): a sockaddr_un is the largest the host decodes. */
#define AS_SOCKADDR_MAX 112

enum as_tls_kind {
	AS_TLS_READ = 0,
	AS_TLS_WRITE = 1,
	AS_TLS_HANDSHAKE = 2,
};

enum as_tls_flags {
	AS_TLS_FIRST = 1,        /* first piece of the call */
	AS_TLS_LAST = 2,         /* last piece of the call: the host can finish it */
	AS_TLS_COPY_FAILED = 4,  /* bpf_probe_read_user failed: the piece carries no bytes */
	AS_TLS_ABORTED = 8,      /* the ring was full: later pieces of the call are missing */
	AS_TLS_PADDED = 16,      /* a TLS 1.3 record with padding: the host strips the zeros and the type byte */
	AS_TLS_ONE_WAY = 32,     /* conn names one direction of a connection (an AEAD context): joined by fd */
	AS_TLS_LINK_PENDING = 64, /* fd not known yet: the thread's next socket write sends an AS_SOCK_LINK for conn */
};

enum as_filter_mode {
	AS_FILTER_ALL = 0,       /* every process (minus the host itself) */
	AS_FILTER_TRACKED = 1,   /* only processes in the tracked map */
};

/* Which process events to emit (a bit set). Tracking itself always runs when the filter needs it. */
enum as_emit {
	AS_EMIT_EXEC = 1,
	AS_EMIT_FORK = 2,
	AS_EMIT_EXIT = 4,
	AS_EMIT_OPEN = 8,
	AS_EMIT_CONNECT = 16,
	AS_EMIT_MMAP = 32,       /* files mapped executable, for TLS discovery */
};

/* Indexes of the per-CPU loss counters (map "stats"); the host sums them over CPUs. */
enum as_stat {
	AS_STAT_RING_FULL = 0,      /* records that did not fit in the ring buffer */
	AS_STAT_RING_FULL_BYTES,    /* what those records carried after their header: plaintext, paths, argv */
	AS_STAT_CALL_MAP_FULL,      /* calls not followed because their entry could not be stored */
	AS_STAT_COPY_FAILED,        /* pieces whose bytes could not be read from user memory */
	AS_STAT_TRACK_MAP_FULL,     /* processes that should have been tracked but the map was full */
	AS_STAT_COUNT,
};

/* ---- io.bpf.c: plaintext sockets and stdio of traced processes ---- */

/* Payload bytes of one io record; a larger call is sent as several pieces (as TLS calls are). */
#define AS_IO_CHUNK 16384

/* Pieces per call at most (a piece never spans two iovecs, so this bounds iovecs too). */
#define AS_IO_MAX_PIECES 512

/* What kind of descriptor an io record's bytes went through. */
enum as_io_kind {
	AS_IO_TCP = 1,           /* a TCP socket (IPv4 or IPv6): a `socket` event */
	AS_IO_UNIX_SOCKET = 2,   /* a UNIX stream socket with an address at either end: a `socket` event */
	AS_IO_PIPE = 3,          /* an anonymous pipe: `stdio` */
	AS_IO_FIFO = 4,          /* a named pipe: `stdio` */
	AS_IO_TTY = 5,           /* a terminal: `stdio` */
	AS_IO_UNIX_PAIR = 6,     /* a UNIX stream socket with no address at either end (socketpair): `stdio` */
};

enum as_io_direction {
	AS_IO_READ = 0,
	AS_IO_WRITE = 1,
};

/* Which stdio streams are kept (as_io_config.stdio_mode). */
enum as_stdio_mode {
	AS_STDIO_OFF = 0,
	AS_STDIO_JSONRPC = 1,    /* streams whose first bytes are '{', '[' or "Content-Length:" */
	AS_STDIO_ALL = 2,
};

/* Indexes of io.bpf.c's per-CPU counters (map "io_stats"). The first four mean what the TLS ones do. */
enum as_io_stat {
	AS_IO_STAT_RING_FULL = 0,
	AS_IO_STAT_RING_FULL_BYTES,
	AS_IO_STAT_CALL_MAP_FULL,
	AS_IO_STAT_COPY_FAILED,
	AS_IO_STAT_SOCKET_TRUNCATED_BYTES, /* socket bytes past the per-call cap */
	AS_IO_STAT_STDIO_TRUNCATED_BYTES,  /* stdio bytes past the per-call cap */
	AS_IO_STAT_STDIO_LIMIT_BYTES,      /* stdio bytes of a process past its limit: not captured */
	AS_IO_STAT_STDIO_FILTERED_BYTES,   /* stdio bytes of streams that did not look like JSON-RPC (jsonrpc mode) */
	AS_IO_STAT_TLS_CALLS,              /* socket calls left to the TLS probes (the socket carries TLS records) */
	AS_IO_STAT_SOCKET_CALLS,           /* socket calls captured */
	AS_IO_STAT_STDIO_CALLS,            /* stdio calls captured */
	AS_IO_STAT_COUNT,
};

/* A plaintext socket or stdio call, or one piece of it. Followed by `captured` payload bytes. */
struct as_io_record {
	__u8 record_kind;        /* AS_REC_IO */
	__u8 direction;          /* enum as_io_direction */
	__u8 io_kind;            /* enum as_io_kind */
	__u8 flags;              /* enum as_tls_flags: FIRST, LAST, COPY_FAILED, ABORTED */
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u64 start_ns;          /* CLOCK_BOOTTIME at entry */
	__u64 end_ns;            /* CLOCK_BOOTTIME at return */
	__u64 stream;            /* socket: its inode; stdio: the inode both ends share (a socket pair: the smaller one) */
	__s64 len;               /* the call's result: bytes moved */
	__u64 offset;            /* where this piece's bytes start within the call's data */
	__u32 captured;          /* payload bytes following this header */
	__u32 call_captured;     /* bytes the whole call will carry */
	__s32 fd;
	__u32 peer_pid;          /* the process last seen at the other end (0: not known) */
	char comm[AS_COMM_LEN];
};

/* Load-time settings of io.bpf.c: the only variable in its .rodata. */
struct as_io_config {
	__u32 magic;
	__u32 self_tgid;
	__u32 uid_filter;
	__u32 target_uid;
	__u32 sockets;           /* 1: capture plaintext TCP and named UNIX sockets */
	__u32 stdio_mode;        /* enum as_stdio_mode */
	__u64 max_capture;       /* bytes per call at most (both kinds; <= AS_IO_CHUNK * AS_IO_MAX_PIECES) */
	__u64 stdio_limit;       /* stdio bytes captured per process at most */
	__u64 wakeup_bytes;
};

/* A TLS call, or one piece of it. Followed by `captured` payload bytes. */
struct as_tls_record {
	__u8 record_kind;        /* AS_REC_TLS */
	__u8 tls_kind;           /* enum as_tls_kind */
	__u8 flags;              /* enum as_tls_flags */
	__u8 pad0;
	__u32 pid;               /* thread-group id */
	__u32 tid;
	__u32 uid;
	__u64 start_ns;          /* CLOCK_BOOTTIME at entry */
	__u64 end_ns;            /* CLOCK_BOOTTIME at return */
	__u64 conn;              /* the SSL* the call was made on */
	__u64 cookie;            /* which attached library or binary saw the call */
	__s64 len;               /* the call's result: bytes read or written (handshake: return value) */
	__u64 offset;            /* where this piece's bytes start within the call's data */
	__u32 captured;          /* payload bytes following this header */
	__u32 call_captured;     /* bytes the whole call will carry (min(len, cap)) */
	__s32 fd;                /* the socket the bytes went through, -1 when not known yet */
	__u32 pad1;
	char comm[AS_COMM_LEN];
};

/* What the socket system calls of a traced process tell about TLS. Followed by `captured` bytes (HELLO). */
struct as_sock_record {
	__u8 record_kind;        /* AS_REC_SOCK */
	__u8 sock_kind;          /* enum as_sock_kind */
	__u8 pad0[2];
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u64 ts_ns;
	__u64 conn;              /* LINK: the connection object */
	__s32 fd;
	__u32 captured;
	__u64 length;            /* HELLO: bytes the write carried */
	char comm[AS_COMM_LEN];
};

/* Bits of the known_files map's values (process.bpf.c; written by the host). */
enum as_known_file {
	AS_KNOWN_EXAMINED = 1,   /* the host has looked into the file */
	AS_KNOWN_PROBED = 2,     /* it has TLS probes, attached per process: a followed process must not run it unprobed */
	AS_KNOWN_MAPS_PROBED = 4, /* a program that mapped such a file before: its exec wakes the host at once */
};

enum as_proc_flags {
	AS_PROC_HELD = 1,        /* EXEC, MMAP, CONNECT: the process was stopped (SIGSTOP) until the host has probed what it runs */
	AS_PROC_PROBED = 2,      /* FORK: the parent has TLS probes of its own (probes scoped to the followed processes) */
	AS_PROC_QUIET = 4,       /* sent for the host's own use (fork events are off): not an event */
	AS_PROC_UNHOLDABLE = 8,  /* EXEC, scoped probes: a job of a terminal, which is never stopped */
};

/* Common head of process records. */
struct as_proc_header {
	__u8 record_kind;        /* enum as_record_kind */
	__u8 flags;              /* enum as_proc_flags */
	__u8 pad0[2];
	__u32 pid;               /* thread-group id (FORK: the new process) */
	__u32 tid;
	__u32 ppid;              /* parent's thread-group id */
	__u32 uid;
	__u32 pad1;
	__u64 ts_ns;             /* CLOCK_BOOTTIME */
	char comm[AS_COMM_LEN];
};

/* Followed by filename_len bytes of path (no NUL) then args_len bytes of argv (NUL-separated). */
struct as_exec_record {
	struct as_proc_header h;
	__u32 filename_len;
	__u32 args_len;
	__u64 args_full_len;     /* the whole argv area's size: more than args_len when cut */
};

struct as_exit_record {
	struct as_proc_header h;
	__u32 exit_code;         /* the kernel's task exit_code: (status << 8) | core flag | signal */
	__u32 pad;
};

/* Followed by path_len bytes of the path (no NUL). */
struct as_open_record {
	struct as_proc_header h;
	__s64 ret;               /* fd, or -errno */
	__u64 flags;
	__u64 mode;
	__s32 dfd;
	__u32 syscall;           /* 0 openat, 1 openat2 */
	__u32 path_len;
	__u32 pad;
};

/* connect(): followed by nothing; the address is inline. */
struct as_connect_record {
	struct as_proc_header h;
	__s32 fd;
	__s32 ret;               /* 0, or -errno (-EINPROGRESS for a non-blocking socket) */
	__u32 addr_len;          /* bytes of addr copied */
	__u32 pad;
	__u8 addr[AS_SOCKADDR_MAX];
};

/* A file mapped executable (mmap with PROT_EXEC): a library loaded late may carry TLS. */
struct as_mmap_record {
	struct as_proc_header h;
	__u64 dev;               /* the kernel's dev_t of the file's filesystem (major << 20 | minor) */
	__u64 ino;
};

/* Load-time settings of tls.bpf.c: the only variable in its .rodata, so it sits at offset 0. */
struct as_tls_config {
	__u32 magic;             /* AS_CONFIG_MAGIC: lets the host check the layout it writes */
	__u32 filter_mode;       /* enum as_filter_mode */
	__u32 self_tgid;         /* never traced: the host itself */
	__u32 uid_filter;        /* 1: only target_uid */
	__u32 target_uid;
	__u32 emit_handshake;
	__u64 max_capture;       /* bytes captured per call at most (<= AS_TLS_CHUNK * AS_TLS_MAX_PIECES) */
	__u64 wakeup_bytes;      /* wake the reader only when this much is waiting (0: on every record) */
};

/* Load-time settings of process.bpf.c: the only variable in its .rodata. */
struct as_proc_config {
	__u32 magic;
	__u32 filter_mode;
	__u32 self_tgid;
	__u32 uid_filter;
	__u32 target_uid;
	__u32 emit;              /* enum as_emit bits */
	__u32 comm_count;        /* entries used in comms */
	__u32 hold_new_programs; /* stop a traced process at the exec of a program the host has not looked into */
	__u64 wakeup_bytes;      /* as in as_tls_config */
	char comms[AS_MAX_COMMS][AS_COMM_LEN];
	__u32 scoped_probes;     /* 1: TLS probes are attached per followed process (probe_links), not per file */
	__u32 pad;
};

/* Value of the tracked map (key: thread-group id). */
struct as_tracked {
	__u32 mute_execs;        /* execs still to pass silently (the recorder's own launch shim) */
	__u32 pad;
};

/* The host reads these layouts with the same sizes (host/Capture/Records.cs, RecordLayoutTests). */
_Static_assert(sizeof(struct as_tls_record) == 96, "as_tls_record layout");
_Static_assert(sizeof(struct as_sock_record) == 64, "as_sock_record layout");
_Static_assert(sizeof(struct as_connect_record) == 176, "as_connect_record layout");
_Static_assert(sizeof(struct as_mmap_record) == 64, "as_mmap_record layout");
_Static_assert(sizeof(struct as_proc_header) == 48, "as_proc_header layout");
_Static_assert(sizeof(struct as_exec_record) == 64, "as_exec_record layout");
_Static_assert(sizeof(struct as_exit_record) == 56, "as_exit_record layout");
_Static_assert(sizeof(struct as_open_record) == 88, "as_open_record layout");
_Static_assert(sizeof(struct as_tls_config) == 40, "as_tls_config layout");
_Static_assert(sizeof(struct as_proc_config) == 304, "as_proc_config layout");
_Static_assert(sizeof(struct as_tracked) == 8, "as_tracked layout");
_Static_assert(sizeof(struct as_io_record) == 88, "as_io_record layout");
_Static_assert(sizeof(struct as_io_config) == 48, "as_io_config layout");

#endif /* AGENTSIGHT_H */
