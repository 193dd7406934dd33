/* Events shared by the BPF programs and the tracer (src/Tracer/Events.cs mirrors this layout;
 * a test compares both through the objects' BTF). Every event starts with the same four fields. */
#ifndef TRACER_H
#define TRACER_H

#define TASK_COMM_LEN 16
#define MAX_PATH_LEN 256
#define MAX_ARGS_LEN 256 /* power of two: the read length is masked with MAX_ARGS_LEN - 1 for the verifier */

enum event_type {
	EVENT_EXEC = 1,
	EVENT_OPEN = 2,
	EVENT_CONNECT = 3,
};

struct exec_event {
	__u64 boot_ns;      /* bpf_ktime_get_boot_ns() when the event happened */
	__u32 type;         /* enum event_type */
	__u32 pid;          /* tgid */
	char comm[TASK_COMM_LEN];
	__u32 ppid;
	__u32 uid;
	__u32 args_size;    /* bytes of args used: NUL-separated argv, cut below MAX_ARGS_LEN */
	char filename[MAX_PATH_LEN];
	char args[MAX_ARGS_LEN];
};

struct open_event {
	__u64 boot_ns;
	__u32 type;
	__u32 pid;
	char comm[TASK_COMM_LEN];
	__u32 flags;        /* open(2) flags */
	__s32 result;       /* fd, or -errno */
	char path[MAX_PATH_LEN];
};

struct connect_event {
	__u64 boot_ns;
	__u32 type;
	__u32 pid;
	char comm[TASK_COMM_LEN];
	__u16 family;       /* AF_INET or AF_INET6 */
	__u16 sport;        /* host byte order */
	__u16 dport;        /* host byte order */
	__u16 reserved;
	__s32 result;       /* connect(2)'s: 0, -EINPROGRESS or -errno */
	__u8 saddr[16];     /* network byte order; IPv4 uses the first 4 bytes */
	__u8 daddr[16];
};

/* Set by the tracer before load (.rodata), so the verifier drops what is not wanted; 0 / empty comm: no filter. */
struct tracer_config {
	__u32 events;       /* bit (1 << enum event_type) set for each event to trace */
	__u32 pid;          /* only this tgid */
	__u32 self_pid;     /* never this tgid: the tracer's own, unless it is asked to show itself */
	__u32 connect_kprobe; /* 1: the kprobes on inet_stream_connect report connects, not sys_exit */
	char comm[TASK_COMM_LEN];
};

#endif
