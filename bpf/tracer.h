/* The one hand-written layout of what the BPF programs share with the tracer. The build's CompileBpf generates
 * src/Tracer/Events.g.cs from the compiled object's BTF: each struct and enum declared here becomes a C# type
 * (exec_event -> ExecEvent, boot_ns -> BootNs, char comm[16] -> fixed byte Comm[CommLength]). A new field is this
 * file, the BPF code that fills it and the line that prints it. Fields are integers (__u8 to __u64, __s8 to __s64),
 * enums of this file or arrays of integers, at their natural alignment; each type must be in the object's BTF
 * (see event_types in tracer.bpf.c). Every event starts with EVENT_HEADER_FIELDS. */
#ifndef TRACER_H
#define TRACER_H

#define TASK_COMM_LEN 16
#define MAX_PATH_LEN 256
/* Powers of two: a read's length is masked with the size - 1 for the verifier, so up to size - 1 bytes are kept. */
#define MAX_ARGS_LEN 8192
#define MAX_ENV_LEN 16384

enum event_type {
	EVENT_EXEC = 1,
	EVENT_OPEN = 2,
	EVENT_CONNECT = 3,
	EVENT_ACCEPT = 4,
	EVENT_TCP_CLOSE = 5,
	EVENT_UDP = 6,          /* a UDP flow's totals */
	EVENT_UNLINK = 7,
	EVENT_FILE_IO = 8,      /* a file's read and write totals */
	EVENT_DNS = 9,
	EVENT_MODULE = 10,
	EVENT_UDP_CLOSE = 11,   /* not printed: a descriptor with UDP flows closed, whose flows the tracer then reports */
};

/* The fields every event starts with, so the tracer can read any event as a struct event_header to learn its type. */
#define EVENT_HEADER_FIELDS \
	__u64 boot_ns;      /* bpf_ktime_get_boot_ns() when the event happened */ \
	enum event_type type; \
	__u32 pid;          /* tgid */ \
	char comm[TASK_COMM_LEN]

struct event_header {
	EVENT_HEADER_FIELDS;
};

/* Why a record of totals (a file's reads and writes, a UDP flow) is reported. The programs report at close; the
 * tracer reads the rest from the totals' map: every interval (an entry idle for a whole interval as idle, then removed)
 * and at exit. */
enum flush_reason {
	FLUSH_INTERVAL = 1,
	FLUSH_IDLE = 2,
	FLUSH_CLOSE = 3,
	FLUSH_EXIT = 4,
};

/* The fields every record of totals starts with: a totals map's values are these records, ready to be reported. */
#define TOTALS_HEADER_FIELDS \
	EVENT_HEADER_FIELDS; \
	enum flush_reason reason; \
	__u32 reserved_totals; \
	__u64 first_ns;     /* boot ns of the first call counted */ \
	__u64 last_ns       /* boot ns of the latest */

struct totals_header {
	TOTALS_HEADER_FIELDS;
};

/* A record ends after args, or after env when the environment is traced (the tracer reads it as a struct exec_event
 * cut short). */
struct exec_event {
	EVENT_HEADER_FIELDS;
	__u32 ppid;
	__u32 uid;
	__s32 result;       /* 0, or a failed execve's -errno */
	__u32 argc;         /* arguments the program was given, also when args is cut */
	__u32 envc;         /* likewise for the environment (0 unless it is traced) */
	__u32 args_size;    /* bytes of args used: NUL-separated argv */
	__u32 env_size;     /* bytes of env used: NUL-separated NAME=value strings */
	__u8 args_truncated; /* 1: argv was longer than args keeps */
	__u8 env_truncated;
	__u16 reserved;
	char filename[MAX_PATH_LEN];
	char args[MAX_ARGS_LEN];
	char env[MAX_ENV_LEN];
};

struct open_event {
	EVENT_HEADER_FIELDS;
	__u32 flags;        /* open(2) flags */
	__s32 result;       /* fd, or -errno */
	char path[MAX_PATH_LEN];
};

/* Also an accept's: saddr/sport then the listening side's, daddr/dport the peer's, result the new fd. */
struct connect_event {
	EVENT_HEADER_FIELDS;
	__u16 family;       /* AF_INET or AF_INET6 */
	__u16 sport;        /* host byte order */
	__u16 dport;        /* host byte order */
	__u16 reserved;
	__s32 result;       /* connect(2)'s: 0, -EINPROGRESS or -errno */
	__u8 saddr[16];     /* network byte order; IPv4 uses the first 4 bytes */
	__u8 daddr[16];
};

enum unlink_call {
	UNLINK_CALL_UNLINK = 1,
	UNLINK_CALL_UNLINKAT = 2,
	UNLINK_CALL_RMDIR = 3,
};

struct unlink_event {
	EVENT_HEADER_FIELDS;
	enum unlink_call call;
	__s32 dirfd;        /* unlinkat's; AT_FDCWD (-100) for the others */
	__u32 flags;        /* unlinkat's (AT_REMOVEDIR: a directory) */
	__s32 result;       /* 0 or -errno */
	char path[MAX_PATH_LEN]; /* as the caller passed it */
};

/* Room for a file's path in its totals, as its names from the file up to the root (see file_io_event). */
#define FILE_PATH_LEN 512

/* A file's reads and writes by one process (through one fd), counted in the kernel: its map's values. */
struct file_io_event {
	TOTALS_HEADER_FIELDS;
	__s32 fd;
	__u8 path_truncated; /* 1: the path had more names (or longer ones) than path keeps */
	__u8 reserved[3];
	__u64 reads;        /* read, pread64, readv and sendfile (from it) calls that returned >= 0 */
	__u64 read_bytes;
	__u64 writes;       /* write, pwrite64, writev and sendfile (to it) calls that returned >= 0 */
	__u64 write_bytes;
	char path[FILE_PATH_LEN]; /* NUL-separated names from the file up to its file system's root, mounts crossed */
};

enum flow_direction {
	FLOW_CONNECT = 1,   /* this host connected */
	FLOW_ACCEPT = 2,    /* this host accepted */
};

/* A TCP flow's end; the header's pid and comm are those of the process that connected or accepted it. */
struct tcp_close_event {
	EVENT_HEADER_FIELDS;
	__u16 family;       /* AF_INET or AF_INET6 */
	__u16 sport;        /* this host's port */
	__u16 dport;        /* the peer's port */
	__u16 reserved;
	enum flow_direction direction;
	__u32 reserved2;
	__u64 duration_ns;  /* from connect() or accept() to the close */
	__u64 bytes_sent;   /* payload bytes the peer acknowledged */
	__u64 bytes_received; /* payload bytes received */
	__u8 saddr[16];     /* network byte order; IPv4 uses the first 4 bytes */
	__u8 daddr[16];
};

/* A UDP flow: one process's datagrams through one descriptor with one peer, counted in the kernel (its map's values). */
struct udp_event {
	TOTALS_HEADER_FIELDS;
	__s32 fd;
	__u16 family;       /* AF_INET or AF_INET6 */
	__u16 sport;        /* this host's port */
	__u16 dport;        /* the peer's */
	__u16 reserved;
	__u64 datagrams_sent;
	__u64 bytes_sent;
	__u64 datagrams_received;
	__u64 bytes_received;
	__u8 saddr[16];     /* network byte order; IPv4 uses the first 4 bytes */
	__u8 daddr[16];
};

/* A UDP flow's key in its map: the tracer reports a closed descriptor's flows by their tgid and fd. */
struct udp_key {
	__u32 tgid;
	__s32 fd;
	__u16 family;
	__u16 dport;
	__u32 reserved;
	__u8 daddr[16];
};

struct udp_close_event {
	EVENT_HEADER_FIELDS;
	__s32 fd;
	__u32 reserved;
};

/* Bytes of a DNS message an event keeps (a power of two: up to DNS_PAYLOAD_LEN - 1 are kept). */
#define DNS_PAYLOAD_LEN 1024

enum dns_direction {
	DNS_SENT = 1,
	DNS_RECEIVED = 2,
};

/* A message to or from port 53, as the call passed it (over TCP with its two-byte length first). The record ends after
 * the payload bytes kept. */
struct dns_event {
	EVENT_HEADER_FIELDS;
	enum dns_direction direction;
	__u8 protocol;      /* IPPROTO_UDP or IPPROTO_TCP */
	__u8 reserved;
	__u16 family;
	__u16 sport;        /* this host's port */
	__u16 dport;        /* the peer's */
	__u32 message_size; /* the bytes the call moved: more than payload keeps when cut */
	__u32 kept;         /* bytes of payload used */
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 payload[DNS_PAYLOAD_LEN];
};

#define MODULE_NAME_LEN 56

enum module_op {
	MODULE_LOAD = 1,    /* finit_module or init_module */
	MODULE_UNLOAD = 2,  /* delete_module */
};

struct module_event {
	EVENT_HEADER_FIELDS;
	enum module_op op;
	__s32 result;       /* the syscall's: 0 or -errno */
	__s32 fd;           /* finit_module's file, -1 for the others */
	__u32 flags;        /* finit_module's or delete_module's flags */
	__u64 taints;       /* the module's taint bits (TAINT_*), as module_load saw them; 0 when it did not fire */
	char name[MODULE_NAME_LEN]; /* from module_load, or delete_module's argument; empty when neither says */
	char file[MAX_PATH_LEN];    /* the name of finit_module's file */
};

/* Set by the tracer before load (.rodata), so the verifier drops what is not wanted; 0 / empty comm: no filter. */
struct tracer_config {
	__u32 events;       /* bit (1 << enum event_type) set for each event to trace */
	__u32 pid;          /* only this tgid */
	__u32 self_pid;     /* never this tgid: the tracer's own, unless it is asked to show itself */
	__u32 connect_kprobe; /* 1: the kprobes on inet_stream_connect report connects, not sys_exit */
	__u32 open_tracepoints; /* 1: the open syscalls' own tracepoints report opens, not sys_exit */
	__u32 exec_env;     /* 1: exec events carry the environment (--env) */
	__u32 socket_tracepoints; /* 1: the socket syscalls' own tracepoints report accepts, not sys_exit */
	char comm[TASK_COMM_LEN];
};

#endif
