// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Process events: exec. */
#include "common.bpf.h"

/* tp_btf needs no tracefs mount, unlike SEC("tracepoint/..."). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	if (!wanted())
		return 0;
	struct exec_event *e = reserve(sizeof(*e));
	if (!e)
		return 0;

	fill_common(e, EVENT_EXEC);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));

	/* The new program's argv sits NUL-separated between arg_start and arg_end on its stack. */
	unsigned long arg_start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long arg_end = BPF_CORE_READ(task, mm, arg_end);
	__u32 size = arg_end - arg_start;
	if (size >= MAX_ARGS_LEN)
		size = MAX_ARGS_LEN - 1;
	size &= MAX_ARGS_LEN - 1; /* a bound the verifier sees whichever register clang uses */
	if (bpf_probe_read_user(e->args, size, (void *)arg_start))
		size = 0;
	e->args_size = size;

	submit(e);
	return 0;
}
