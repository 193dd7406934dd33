// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "tracer.h"

#define AF_INET 2
#define AF_INET6 10

/* Wake the reader only once this much is pending: one wakeup per event costs more than the event.
 * The tracer polls with a short timeout and consumes after every poll, so nothing waits long. */
#define WAKEUP_THRESHOLD (1 << 20)

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Prefixed: a kernel BTF may typedef a plain name such as "config" (6.18 does). */
const volatile struct tracer_config tracer_settings = {};

/* Keeps tracer.h's types in the object's BTF, from which the build generates their C# (src/Tracer/Events.g.cs): a
 * type used only through pointer casts and locals may be left out of it. An unused pointer costs 8 bytes of .bss;
 * tracer_config is kept by tracer_settings and enum event_type by the header's type field. */
struct {
	struct event_header header;
	struct exec_event exec;
	struct open_event open;
	struct connect_event connect;
} *event_types __attribute__((unused));

/* 4 MiB: bigger rings cost more per event (measured: 16 MiB about 100 ns, 8 MiB about 2% of a traced generator's
 * rate). Open records end soon after the path, so this one holds ~37k opens of short paths (112 bytes each). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* Events dropped because the ring buffer was full; the tracer reports the count on exit. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline bool pid_wanted(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tracer_settings.self_pid && tgid == tracer_settings.self_pid)
		return false;
	return !tracer_settings.pid || tgid == tracer_settings.pid;
}

static __always_inline bool comm_wanted(const char *comm)
{
	if (!tracer_settings.comm[0])
		return true;
	for (int i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] != tracer_settings.comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool wanted(void)
{
	if (!pid_wanted())
		return false;
	if (!tracer_settings.comm[0])
		return true;
	char comm[TASK_COMM_LEN];
	bpf_get_current_comm(comm, sizeof(comm));
	return comm_wanted(comm);
}

static __always_inline void count_lost(void)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&lost, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
}

static __always_inline void *reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		count_lost();
	return e;
}

static __always_inline __u64 wakeup_flag(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_THRESHOLD ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void submit(void *e)
{
	bpf_ringbuf_submit(e, wakeup_flag());
}

/* Every field of the header but comm, which the open path has already read for its filter. */
static __always_inline void fill_header(void *event, enum event_type type)
{
	struct event_header *e = event; /* every event starts with EVENT_HEADER_FIELDS */
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->type = type;
	e->pid = bpf_get_current_pid_tgid() >> 32;
}

static __always_inline void fill_common(void *event, enum event_type type)
{
	fill_header(event, type);
	bpf_get_current_comm(((struct event_header *)event)->comm, TASK_COMM_LEN);
}

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

/* Syscall numbers and the syscall number's place in pt_regs differ per arch: this is one place where
 * __TARGET_ARCH_* and the arch's vmlinux.h matter (the other: PT_REGS_PARM*_SYSCALL below).
 * An arch without a syscall leaves its number undefined: any value would be one a real exit can carry
 * (arm64 exits with -1 for rt_sigreturn). regs is a BTF pointer in tp_btf, so its fields are plain loads,
 * not a helper call on every syscall. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define NR_OPEN 2
#define NR_CONNECT 42
#define NR_OPENAT 257
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((regs)->syscallno)
#define NR_CONNECT 203
#define NR_OPENAT 56
#else
#error "build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64"
#endif
#define NR_OPENAT2 437

#define IPPROTO_TCP 6
#define S_IFMT 00170000
#define S_IFSOCK 0140000

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

/* The start of the UAPI sockaddr_in / sockaddr_in6 (a stable ABI, so read without CO-RE): the address is at
 * offset 4 in the one and 8 in the other (after sin6_flowinfo). */
struct call_sockaddr {
	__u16 family;
	__be16 port;
	__u8 in4[4];
	__u8 in6[16];
};

/* A TCP connect call: family, destination and port from the call's own sockaddr (the socket forgets its
 * destination when the connect fails), the source from the socket once the kernel has chosen it (0 before,
 * and again after a refused connect, which releases it), and the call's result. */
static __always_inline void emit_connect(struct socket *sock, const void *uaddr, bool user_memory, long ret)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return;
	struct call_sockaddr addr = {};
	long error = user_memory ? bpf_probe_read_user(&addr, sizeof(addr.family), uaddr)
				 : bpf_probe_read_kernel(&addr, sizeof(addr.family), uaddr);
	if (error || (addr.family != AF_INET && addr.family != AF_INET6))
		return; /* AF_UNSPEC disconnects; others fail with EAFNOSUPPORT */
	if (addr.family == AF_INET)
		error = user_memory ? bpf_probe_read_user(&addr, offsetof(struct call_sockaddr, in6), uaddr)
				    : bpf_probe_read_kernel(&addr, offsetof(struct call_sockaddr, in6), uaddr);
	else
		error = user_memory ? bpf_probe_read_user(&addr, sizeof(addr), uaddr) : bpf_probe_read_kernel(&addr, sizeof(addr), uaddr);
	if (error)
		return;

	struct connect_event *e = reserve(sizeof(*e));
	if (!e)
		return;
	fill_common(e, EVENT_CONNECT);
	e->family = addr.family;
	e->dport = bpf_ntohs(addr.port);
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->reserved = 0;
	e->result = ret;
	__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	__builtin_memset(e->daddr, 0, sizeof(e->daddr));
	if (addr.family == AF_INET) {
		__builtin_memcpy(e->daddr, addr.in4, 4);
		bpf_core_read(e->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
	} else {
		__builtin_memcpy(e->daddr, addr.in6, 16);
		/* An AF_INET socket given an IPv6 address has no IPv6 source (the call fails). */
		if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET6 && bpf_core_field_exists(sk->__sk_common.skc_v6_rcv_saddr))
			bpf_core_read(e->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	}
	submit(e);
}

/* connect(2) at its exit: the socket behind the fd argument, found through the caller's fd table. */
static __always_inline void connect_syscall_exit(struct pt_regs *regs, long ret)
{
	int fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	/* bpf_get_current_task, not bpf_get_current_task_btf: the latter is Linux 5.11+. */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	struct file *file = NULL;
	if (fd < 0 || bpf_core_read(&file, sizeof(file), &fds[fd]) || !file)
		return;
	/* Only a socket's private_data is a struct socket (connect on another fd fails with ENOTSOCK). */
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return;
	emit_connect(BPF_CORE_READ(file, private_data), (const void *)PT_REGS_PARM2_CORE_SYSCALL(regs), true, ret);
}

/* open/openat/openat2 unless their own tracepoints below catch them, and connect unless the kprobes do, seen at
 * syscall exit, where the arguments (still in pt_regs) and the result are both known. A raw BTF tracepoint: it needs
 * no kprobes (some kernels have none, CONFIG_KPROBES unset) and no tracefs. */
SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
#ifdef NR_OPEN
	bool open = nr == NR_OPENAT || nr == NR_OPENAT2 || nr == NR_OPEN;
#else
	bool open = nr == NR_OPENAT || nr == NR_OPENAT2;
#endif
	open = open && !tracer_settings.open_tracepoints;
	bool connect = nr == NR_CONNECT && !tracer_settings.connect_kprobe;
	if (!(open && (tracer_settings.events & (1 << EVENT_OPEN))) && !(connect && (tracer_settings.events & (1 << EVENT_CONNECT))))
		return 0;
	if (open) {
		if (pid_wanted())
			emit_open(NULL, regs, nr, ret); /* which filters on comm itself */
	} else if (wanted()) {
		connect_syscall_exit(regs, ret);
	}
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

/* The kprobe path for connect: inet_stream_connect is the connect of every inet and inet6 stream socket, and
 * its result is connect(2)'s (including -EINPROGRESS). Its arguments, kept here from entry to return by
 * thread, still point into the caller's frame at return: the socket and the kernel's copy of the sockaddr. */
struct connect_call {
	struct socket *sock;
	void *uaddr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192); /* connects in flight at once; a blocking one stays until it completes */
	__type(key, __u64);
	__type(value, struct connect_call);
} connect_calls SEC(".maps");

SEC("kprobe/inet_stream_connect")
int BPF_KPROBE(handle_connect_entry, struct socket *sock, struct sockaddr *uaddr)
{
	/* Sockets without a file are the kernel's own (NFS, iSCSI...), which the tracepoint path cannot see either. */
	if (!(tracer_settings.events & (1 << EVENT_CONNECT)) || !BPF_CORE_READ(sock, file) || !wanted())
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	struct connect_call call = { .sock = sock, .uaddr = uaddr };
	bpf_map_update_elem(&connect_calls, &id, &call, BPF_ANY);
	return 0;
}

SEC("kretprobe/inet_stream_connect")
int BPF_KRETPROBE(handle_connect_return, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct connect_call *call = bpf_map_lookup_elem(&connect_calls, &id);
	if (!call)
		return 0;
	emit_connect(call->sock, call->uaddr, false, ret);
	bpf_map_delete_elem(&connect_calls, &id);
	return 0;
}
