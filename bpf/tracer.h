/* Events shared by the BPF programs and the tracer (src/Tracer/Events.cs mirrors this layout). */
#ifndef TRACER_H
#define TRACER_H

#define TASK_COMM_LEN 16
#define MAX_FILENAME_LEN 256

enum event_type {
	EVENT_EXEC = 1,
};

struct exec_event {
	__u64 boot_ns;      /* bpf_ktime_get_boot_ns() when the event happened */
	__u32 type;         /* enum event_type */
	__u32 pid;          /* tgid */
	__u32 ppid;
	__u32 uid;
	char comm[TASK_COMM_LEN];
	char filename[MAX_FILENAME_LEN];
};

#endif
