// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Process events: every exec with its arguments (and environment when asked), and every failed exec with its error. */
#include "common.bpf.h"

/* An exec record is too big for the stack: it is built here, then copied into the ring at its used length. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_event);
} exec_scratch SEC(".maps");

static __always_inline struct exec_event *exec_record(void)
{
	__u32 key = 0;
	struct exec_event *e = bpf_map_lookup_elem(&exec_scratch, &key);
	if (!e)
		return NULL;
	fill_common(e, EVENT_EXEC);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->envc = 0;
	e->env_size = 0;
	e->env_truncated = 0;
	e->reserved = 0;
	return e;
}

/* Copies [start, end) of the new program's stack into buffer, keeping at most size - 1 bytes; returns the bytes kept
 * and sets *truncated when some were left out. */
#define COPY_AREA(buffer, size, start, end, used, truncated)                          \
	do {                                                                          \
		__u64 length = (end) - (start);                                       \
		(truncated) = length > (size) - 1;                                    \
		if (length > (size) - 1)                                              \
			length = (size) - 1;                                          \
		length &= (size) - 1; /* a bound the verifier sees in any register */ \
		if (bpf_probe_read_user((buffer), length, (void *)(start)))           \
			length = 0;                                                   \
		(used) = length;                                                      \
	} while (0)

static __always_inline void submit_exec(struct exec_event *e)
{
	__u64 size = tracer_settings.exec_env ? offsetof(struct exec_event, env) + e->env_size
					      : offsetof(struct exec_event, args) + e->args_size;
	if (size > sizeof(*e))
		return;
	if (bpf_ringbuf_output(&events, e, size, wakeup_flag()))
		count_lost();
}

/* A raw tracepoint needs no tracefs mount, unlike SEC("tracepoint/..."), and no kernel BTF, unlike tp_btf. At this
 * point the new program's argv and environment sit NUL-separated on its stack between mm's arg_start/arg_end and
 * env_start/env_end. */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	if (!wanted())
		return 0;
	struct exec_event *e = exec_record();
	if (!e)
		return 0;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->result = 0;
	e->argc = BPF_CORE_READ(bprm, argc);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));

	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
	__u8 truncated;
	COPY_AREA(e->args, MAX_ARGS_LEN, start, end, e->args_size, truncated);
	e->args_truncated = truncated;
	if (tracer_settings.exec_env) {
		e->envc = BPF_CORE_READ(bprm, envc);
		start = BPF_CORE_READ(mm, env_start);
		end = BPF_CORE_READ(mm, env_end);
		COPY_AREA(e->env, MAX_ENV_LEN, start, end, e->env_size, truncated);
		e->env_truncated = truncated;
	}
	submit_exec(e);
	return 0;
}

/* A failed exec never reaches sched_process_exec. Where execve's own tracepoints can be attached (tracefs readable:
 * root), its filename and argv are kept at the syscall's entry by thread and read at its exit when it returns an
 * error; elsewhere (CAP_BPF and CAP_PERFMON alone cannot read tracefs) sys_exit reads them from its pt_regs. */
struct exec_call {
	const char *filename;
	const char *const *argv;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct exec_call);
} exec_calls SEC(".maps");

/* Arguments of a failed exec: the first FAILED_EXEC_ARGS, each read at an offset below MAX_ARGS_LEN / 2 with up to
 * MAX_ARGS_LEN / 2 bytes, a bound the verifier can check (so about the first half of args is used). Counting all of
 * them too would cost the verifier a walk of the copy per count: argc stops one past what was kept. */
#define FAILED_EXEC_ARGS 64
#define HALF_ARGS (MAX_ARGS_LEN / 2)

static __always_inline void exec_enter(const char *filename, const char *const *argv)
{
	if (!traced(EVENT_EXEC) || !wanted())
		return;
	__u64 id = bpf_get_current_pid_tgid();
	struct exec_call call = { .filename = filename, .argv = argv };
	bpf_map_update_elem(&exec_calls, &id, &call, BPF_ANY);
}

/* A failed exec's record: its filename and argv read from the caller's memory, which is still there. */
static __always_inline void emit_failed_exec(struct exec_call c, long ret)
{
	struct exec_event *e = exec_record();
	if (!e)
		return;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->result = ret;
	if (bpf_probe_read_user_str(e->filename, sizeof(e->filename), c.filename) < 0)
		e->filename[0] = 0;
	/* argc counts the arguments kept, and one more when there are others. */
	__u32 argc = 0, used = 0;
	e->args_truncated = 0;
	for (int i = 0; i <= FAILED_EXEC_ARGS; i++) {
		const char *arg = NULL;
		if (!c.argv || bpf_probe_read_user(&arg, sizeof(arg), &c.argv[i]) || !arg)
			break;
		argc++;
		if (i == FAILED_EXEC_ARGS || used >= HALF_ARGS) {
			e->args_truncated = 1;
			break;
		}
		long length = bpf_probe_read_user_str(&e->args[used & (HALF_ARGS - 1)], HALF_ARGS, arg);
		if (length < 0)
			break;
		used += length;
	}
	e->argc = argc;
	if (used > HALF_ARGS) {
		used = HALF_ARGS;
		e->args_truncated = 1;
	}
	e->args_size = used;
	submit_exec(e);
}

static __always_inline void exec_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct exec_call *call = bpf_map_lookup_elem(&exec_calls, &id);
	if (!call)
		return;
	struct exec_call c = *call;
	bpf_map_delete_elem(&exec_calls, &id);
	if (ret < 0) /* sched_process_exec reported the others */
		emit_failed_exec(c, ret);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_execve_enter(struct trace_event_raw_sys_enter *ctx)
{
	exec_enter((const char *)ctx->args[0], (const char *const *)ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int handle_execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	exec_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int handle_execveat_enter(struct trace_event_raw_sys_enter *ctx)
{
	exec_enter((const char *)ctx->args[1], (const char *const *)ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int handle_execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	exec_exit(ctx->ret);
	return 0;
}

static __always_inline int exec_sys_exit(struct pt_regs *regs, long ret)
{
	if (ret >= 0)
		return 0;
	long nr = SYSCALL_NR(regs);
	struct exec_call c;
	if (nr == NR_EXECVE) {
		c.filename = (const char *)PT_REGS_PARM1_SYSCALL(regs);
		c.argv = (const char *const *)PT_REGS_PARM2_SYSCALL(regs);
	} else if (nr == NR_EXECVEAT) {
		c.filename = (const char *)PT_REGS_PARM2_SYSCALL(regs);
		c.argv = (const char *const *)PT_REGS_PARM3_SYSCALL(regs);
	} else {
		return 0;
	}
	if (traced(EVENT_EXEC) && wanted())
		emit_failed_exec(c, ret);
	return 0;
}

ON_SYS_EXIT(handle_exec_sys_exit, exec_sys_exit)
