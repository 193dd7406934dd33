// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Kernel module loads and unloads: the module-loading syscalls, seen at entry and exit, with module_load's name and
 * taints from in between (it fires in the loader's context, before the module's init runs, even when init then fails). */
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

SEC("tp_btf/module_load")
int BPF_PROG(handle_module_load, struct module *mod)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct module_event *call = bpf_map_lookup_elem(&module_calls, &id);
	if (!call)
		return 0;
	bpf_probe_read_kernel_str(call->name, sizeof(call->name), mod->name);
	call->taints = mod->taints;
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
