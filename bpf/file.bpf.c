// SPDX-License-Identifier: GPL-2.0 OR MIT
/* File events: open. */
#include "common.bpf.h"

/* Room for the path in an open record filled in place: most paths fit. */
#define SHORT_PATH_LEN 64

/* An open record ends soon after its path's NUL (the tracer reads it as a struct open_event cut short), so the ring
 * holds several times more opens than whole structs would. The path is read onto the stack first, to learn its
 * length. One that fits SHORT_PATH_LEN goes into a record reserved before the clock is read: measured, that keeps
 * about 2% more of a traced generator's rate than copying afterwards (the record's memory, last read by the tracer
 * on another CPU, is likely fetched meanwhile). A longer path is copied at its own length (a reservation's size
 * must be a constant). */
static __always_inline void emit_open(struct task_struct *task, struct pt_regs *regs, long nr, long ret)
{
	struct open_event e;
	/* The comm filter looks at the event's own copy: on the hottest path, one helper call less than wanted(). With a
	 * BTF task pointer (5.11+), comm is two plain loads: that kept 0.4% to 1.1% more of a traced generator's rate than
	 * bpf_get_current_comm (docs/benchmarks.md). Bytes past its NUL may be an older name's where the kernel does
	 * not pad; the tracer reads up to the NUL. */
	if (task) {
		*(__u64 *)&e.comm[0] = *(__u64 *)&task->comm[0];
		*(__u64 *)&e.comm[8] = *(__u64 *)&task->comm[8];
	} else {
		bpf_get_current_comm(e.comm, sizeof(e.comm));
	}
	if (!comm_wanted(e.comm))
		return;
	const char *path = (const char *)PT_REGS_PARM2_SYSCALL(regs);
	if (nr == NR_OPENAT) {
		e.flags = PT_REGS_PARM3_SYSCALL(regs);
	}
#ifdef NR_OPEN
	else if (nr == NR_OPEN) {
		path = (const char *)PT_REGS_PARM1_SYSCALL(regs);
		e.flags = PT_REGS_PARM2_SYSCALL(regs);
	}
#endif
	else { /* openat2 */
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), (void *)PT_REGS_PARM3_SYSCALL(regs));
		e.flags = how.flags;
	}
	e.result = ret;
	__builtin_memset(e.path, 0, SHORT_PATH_LEN); /* a short record carries no stack bytes past the NUL */
	long length = bpf_probe_read_user_str(e.path, sizeof(e.path), path);
	if (length < 1) {
		e.path[0] = 0;
		length = 1;
	}
	if (length <= SHORT_PATH_LEN) {
		struct open_event *r = reserve(offsetof(struct open_event, path) + SHORT_PATH_LEN);
		if (!r)
			return;
		fill_header(r, EVENT_OPEN);
		__builtin_memcpy(r->comm, e.comm, sizeof(r->comm));
		r->flags = e.flags;
		r->result = e.result;
		__builtin_memcpy(r->path, e.path, SHORT_PATH_LEN);
		submit(r);
		return;
	}
	if (length > sizeof(e.path))
		length = sizeof(e.path);
	fill_header(&e, EVENT_OPEN);
	if (bpf_ringbuf_output(&events, &e, offsetof(struct open_event, path) + length, wakeup_flag()))
		count_lost();
}

/* open/openat/openat2 where their own tracepoints (below) cannot be used, seen at syscall exit, where the arguments
 * (still in pt_regs) and the result are both known. A raw BTF tracepoint: it needs no kprobes (some kernels have none,
 * CONFIG_KPROBES unset) and no tracefs, but it runs for every syscall. */
SEC("tp_btf/sys_exit")
int BPF_PROG(handle_file_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
#ifdef NR_OPEN
	bool open = nr == NR_OPENAT || nr == NR_OPENAT2 || nr == NR_OPEN;
#else
	bool open = nr == NR_OPENAT || nr == NR_OPENAT2;
#endif
	if (open && !tracer_settings.open_tracepoints && traced(EVENT_OPEN) && pid_wanted())
		emit_open(NULL, regs, nr, ret); /* which filters on comm itself */
	return 0;
}

/* The open syscalls' own tracepoints, where the kernel has them and bpf_task_pt_regs (5.15+): unlike sys_exit, they
 * run for opens only, so other syscalls run no program (a traced open/close loop kept 1% to 3% more of its rate,
 * docs/benchmarks.md). The arguments are still in the task's pt_regs at exit. */
static __always_inline int open_exit(long nr, long ret)
{
	if (pid_wanted()) {
		struct task_struct *task = bpf_get_current_task_btf();
		emit_open(task, (struct pt_regs *)bpf_task_pt_regs(task), nr, ret);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int handle_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(NR_OPENAT, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int handle_openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(NR_OPENAT2, ctx->ret);
}

#ifdef NR_OPEN
SEC("tracepoint/syscalls/sys_exit_open")
int handle_open_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(NR_OPEN, ctx->ret);
}
#endif
