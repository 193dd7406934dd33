/* What every capability's BPF source shares: the settings, the ring buffer and the lost count (defined once, in
 * tracer.bpf.c; the build links the sources into one object with bpftool gen object), the filters, and the arch's
 * syscall numbers. */
#ifndef COMMON_BPF_H
#define COMMON_BPF_H

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

extern const volatile struct tracer_config tracer_settings;

/* tracer.bpf.c defines the shared maps; every other source declares them. */
#ifdef TRACER_DEFINES_MAPS
#define SHARED_MAP
#else
#define SHARED_MAP extern
#endif

/* 4 MiB: bigger rings cost more per event (measured: 16 MiB about 100 ns, 8 MiB about 2% of a traced generator's
 * rate). Open records end soon after the path, so this one holds ~37k opens of short paths (112 bytes each). */
SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* Events dropped because the ring buffer was full; the tracer reports the count on exit. */
SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline bool traced(enum event_type type)
{
	return tracer_settings.events & (1 << type);
}

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

/* Syscall numbers and the syscall number's place in pt_regs differ per arch: this is one place where
 * __TARGET_ARCH_* and the arch's vmlinux.h matter (the other: PT_REGS_PARM*_SYSCALL below).
 * An arch without a syscall leaves its number undefined: any value would be one a real exit can carry
 * (arm64 exits with -1 for rt_sigreturn). regs is a BTF pointer in tp_btf, so its fields are plain loads,
 * not a helper call on every syscall. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define NR_READ 0
#define NR_WRITE 1
#define NR_OPEN 2
#define NR_CLOSE 3
#define NR_PREAD64 17
#define NR_PWRITE64 18
#define NR_READV 19
#define NR_WRITEV 20
#define NR_DUP2 33
#define NR_SENDFILE 40
#define NR_RMDIR 84
#define NR_UNLINK 87
#define NR_UNLINKAT 263
#define NR_DUP3 292
#define NR_CONNECT 42
#define NR_ACCEPT 43
#define NR_SENDTO 44
#define NR_RECVFROM 45
#define NR_SENDMSG 46
#define NR_RECVMSG 47
#define NR_EXECVE 59
#define NR_INIT_MODULE 175
#define NR_DELETE_MODULE 176
#define NR_OPENAT 257
#define NR_ACCEPT4 288
#define NR_RECVMMSG 299
#define NR_SENDMMSG 307
#define NR_FINIT_MODULE 313
#define NR_EXECVEAT 322
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((regs)->syscallno)
#define NR_DUP3 24
#define NR_UNLINKAT 35
#define NR_CLOSE 57
#define NR_READ 63
#define NR_WRITE 64
#define NR_READV 65
#define NR_WRITEV 66
#define NR_PREAD64 67
#define NR_PWRITE64 68
#define NR_SENDFILE 71
#define NR_CONNECT 203
#define NR_ACCEPT 202
#define NR_SENDTO 206
#define NR_RECVFROM 207
#define NR_SENDMSG 211
#define NR_RECVMSG 212
#define NR_ACCEPT4 242
#define NR_RECVMMSG 243
#define NR_SENDMMSG 269
#define NR_OPENAT 56
#define NR_EXECVE 221
#define NR_INIT_MODULE 105
#define NR_DELETE_MODULE 106
#define NR_FINIT_MODULE 273
#define NR_EXECVEAT 281
#else
#error "build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64"
#endif
#define NR_OPENAT2 437

#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFSOCK 0140000

/* The file at a descriptor of an fd table (struct fdtable's fd): NULL when there is none. */
static __always_inline struct file *file_at(struct file **fds, int fd)
{
	struct file *file = NULL;
	if (fd < 0 || bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/* The file behind one of the current task's descriptors. Uses bpf_get_current_task, not bpf_get_current_task_btf,
 * which is Linux 5.11+ and needs the kernel's BTF. */
static __always_inline struct file *current_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	return file_at(BPF_CORE_READ(task, files, fdt, fd), fd);
}

/* The same for programs named *_btf: the task as a BTF pointer lets the verifier turn the walk to the fd table into
 * plain loads, where current_file makes three helper calls (about 80 ns of a UDP send's program here). */
static __always_inline struct file *current_file_btf(int fd)
{
	return file_at(bpf_get_current_task_btf()->files->fdt->fd, fd);
}

/* current_file_btf in a program named *_btf, current_file in any other: btf is a constant in each program, so only one
 * of them is compiled in (the build checks that programs without BTF call no BTF helper). */
static __always_inline struct file *current_file_for(int fd, bool btf)
{
	return btf ? current_file_btf(fd) : current_file(fd);
}

/* The registers of the current syscall, from its own tracepoint's program (bpf_task_pt_regs: 5.15+). Both helpers
 * need the kernel's BTF, so every program that calls this is named *_btf (the build checks it). */
static __always_inline struct pt_regs *current_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* A program named name_btf on syscall's own exit tracepoint, handing fn(nr, its registers, its result) on. */
#define ON_SYSCALL_EXIT(name, syscall, nr, fn)                      \
	SEC("tracepoint/syscalls/sys_exit_" #syscall)                   \
	int name##_btf(struct trace_event_raw_sys_exit *ctx)             \
	{                                                               \
		fn(nr, current_regs(), ctx->ret);                       \
		return 0;                                               \
	}

/* A copy of the current syscall's registers for the raw sys_exit tracepoint's programs, which get a plain pointer to
 * them: the copy lets the code that tp_btf's programs run on the registers in place run on it unchanged. */
SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pt_regs);
} regs_copy SEC(".maps");

/* Copies no more than the running kernel's pt_regs (its size relocated by CO-RE): they sit at the top of the kernel
 * stack, and a read past them can fault. */
static __always_inline struct pt_regs *copy_regs(const struct pt_regs *regs)
{
	__u32 zero = 0;
	struct pt_regs *copy = bpf_map_lookup_elem(&regs_copy, &zero);
	__u32 size = bpf_core_type_size(struct pt_regs);
	if (size > sizeof(*copy))
		size = sizeof(*copy);
	if (!copy || bpf_probe_read_kernel(copy, size, regs))
		return NULL;
	return copy;
}

/* Two programs on sys_exit handing fn(its registers, its result) on: name_btf on the BTF tracepoint, which reads the
 * registers in place, and name on the raw tracepoint, which needs no kernel BTF (for kernels built without it) and
 * reads a copy of them. */
#define ON_SYS_EXIT(name, fn)                                           \
	SEC("tp_btf/sys_exit")                                          \
	int BPF_PROG(name##_btf, struct pt_regs *regs, long ret)        \
	{                                                               \
		return fn(regs, ret);                                   \
	}                                                               \
	SEC("raw_tp/sys_exit")                                          \
	int BPF_PROG(name, struct pt_regs *regs, long ret)              \
	{                                                               \
		struct pt_regs *copy = copy_regs(regs);                 \
		return copy ? fn(copy, ret) : 0;                        \
	}

/* The socket behind a file, NULL unless it is one: only a socket's private_data is a struct socket. */
static __always_inline struct socket *file_socket(struct file *file)
{
	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

static __always_inline struct socket *current_socket(int fd)
{
	return file_socket(current_file(fd));
}

/* The sock behind a file, NULL unless it is a socket's. */
static __always_inline struct sock *file_sock(struct file *file)
{
	struct socket *sock = file_socket(file);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

/* The same, NULL unless the socket is of protocol (IPPROTO_TCP, IPPROTO_UDP). */
static __always_inline struct sock *protocol_sock(struct file *file, __u8 protocol)
{
	struct sock *sk = file_sock(file);
	return sk && BPF_CORE_READ(sk, sk_protocol) == protocol ? sk : NULL;
}

#endif
