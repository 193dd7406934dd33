// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Kernel module loads and unloads: the module-loading syscalls, seen at entry and exit, with module_load's name and
 * taints from in between (it fires in the loader's context, before the module's init runs, even when init then fails).
 * Where their tracepoints cannot be attached (tracefs is root's), sys_exit finds the arguments in its pt_regs. */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct module_event);
} module_calls SEC(".maps");

static __always_inline void module_enter(enum module_op op, int fd, __u32 flags, const char *name)
{
	if (!traced(EVENT_MODULE) || !wanted())
		return;
	struct module_event e = {};
	e.op = op;
	e.fd = fd;
	e.flags = flags;
	if (name)
		bpf_probe_read_user_str(e.name, sizeof(e.name), name);
	if (fd >= 0) {
		struct file *file = current_file(fd);
		if (file)
			bpf_probe_read_kernel_str(e.file, sizeof(e.file), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	}
	__u64 id = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&module_calls, &id, &e, BPF_ANY);
}

static __always_inline void module_exit(long ret)
{
	if (!traced(EVENT_MODULE))
		return;
	__u64 id = bpf_get_current_pid_tgid();
	struct module_event *call = bpf_map_lookup_elem(&module_calls, &id);
	if (!call)
		return;
	struct module_event *e = reserve(sizeof(*e));
	if (e) {
		__builtin_memcpy(e, call, sizeof(*e));
		fill_common(e, EVENT_MODULE);
		e->result = ret;
		submit(e);
	}
	bpf_map_delete_elem(&module_calls, &id);
}

SEC("raw_tp/module_load")
int BPF_PROG(handle_module_load, struct module *mod)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct module_event *call = bpf_map_lookup_elem(&module_calls, &id);
	if (!call)
		return 0;
	bpf_probe_read_kernel_str(call->name, sizeof(call->name), &mod->name);
	call->taints = BPF_CORE_READ(mod, taints);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_finit_module")
int handle_finit_module_enter(struct trace_event_raw_sys_enter *ctx)
{
	module_enter(MODULE_LOAD, ctx->args[0], ctx->args[2], NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_finit_module")
int handle_finit_module_exit(struct trace_event_raw_sys_exit *ctx)
{
	module_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_init_module")
int handle_init_module_enter(struct trace_event_raw_sys_enter *ctx)
{
	module_enter(MODULE_LOAD, -1, 0, NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_init_module")
int handle_init_module_exit(struct trace_event_raw_sys_exit *ctx)
{
	module_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_delete_module")
int handle_delete_module_enter(struct trace_event_raw_sys_enter *ctx)
{
	module_enter(MODULE_UNLOAD, -1, ctx->args[1], (const char *)ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_delete_module")
int handle_delete_module_exit(struct trace_event_raw_sys_exit *ctx)
{
	module_exit(ctx->ret);
	return 0;
}

/* The other hook: sys_exit alone, with module_load's name and taints found under the thread by its exit. */
SEC("raw_tp/module_load")
int BPF_PROG(handle_module_load_alone, struct module *mod)
{
	if (!traced(EVENT_MODULE) || !wanted())
		return 0;
	struct module_event e = {};
	e.op = MODULE_LOAD;
	bpf_probe_read_kernel_str(e.name, sizeof(e.name), &mod->name);
	e.taints = BPF_CORE_READ(mod, taints);
	__u64 id = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&module_calls, &id, &e, BPF_ANY);
	return 0;
}

static __always_inline int module_sys_exit(struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
	if (nr != NR_FINIT_MODULE && nr != NR_INIT_MODULE && nr != NR_DELETE_MODULE)
		return 0;
	if (!traced(EVENT_MODULE) || !wanted())
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	struct module_event *loaded = bpf_map_lookup_elem(&module_calls, &id);
	struct module_event *e = reserve(sizeof(*e));
	if (!e)
		return 0;
	if (loaded)
		__builtin_memcpy(e, loaded, sizeof(*e));
	else
		__builtin_memset(e, 0, sizeof(*e));
	fill_common(e, EVENT_MODULE);
	e->result = ret;
	e->fd = -1;
	if (nr == NR_DELETE_MODULE) {
		e->op = MODULE_UNLOAD;
		e->flags = PT_REGS_PARM2_SYSCALL(regs);
		bpf_probe_read_user_str(e->name, sizeof(e->name), (const char *)PT_REGS_PARM1_SYSCALL(regs));
	} else {
		e->op = MODULE_LOAD;
		if (nr == NR_FINIT_MODULE) {
			e->fd = PT_REGS_PARM1_SYSCALL(regs);
			e->flags = PT_REGS_PARM3_SYSCALL(regs);
			struct file *file = current_file(e->fd);
			if (file)
				bpf_probe_read_kernel_str(e->file, sizeof(e->file), BPF_CORE_READ(file, f_path.dentry, d_name.name));
		}
	}
	submit(e);
	if (loaded)
		bpf_map_delete_elem(&module_calls, &id);
	return 0;
}

ON_SYS_EXIT(handle_module_sys_exit, module_sys_exit)
