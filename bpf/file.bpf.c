// SPDX-License-Identifier: GPL-2.0 OR MIT
/* File events: opens, unlinks, and each file's reads and writes counted in the kernel. */
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

/* unlink, unlinkat and rmdir at their exit: the path as passed (the caller's memory is still there) and the result. */
static __always_inline void emit_unlink(struct pt_regs *regs, long nr, long ret)
{
	if (!traced(EVENT_UNLINK) || !wanted())
		return;
	struct unlink_event *e = reserve(sizeof(*e));
	if (!e)
		return;
	fill_common(e, EVENT_UNLINK);
	e->result = ret;
	e->dirfd = -100; /* AT_FDCWD */
	e->flags = 0;
	const char *path = (const char *)PT_REGS_PARM1_SYSCALL(regs);
	if (nr == NR_UNLINKAT) {
		e->call = UNLINK_CALL_UNLINKAT;
		e->dirfd = PT_REGS_PARM1_SYSCALL(regs);
		path = (const char *)PT_REGS_PARM2_SYSCALL(regs);
		e->flags = PT_REGS_PARM3_SYSCALL(regs);
	}
#ifdef NR_UNLINK
	else if (nr == NR_UNLINK) {
		e->call = UNLINK_CALL_UNLINK;
	}
#endif
	else {
		e->call = UNLINK_CALL_RMDIR;
	}
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), path) < 0)
		e->path[0] = 0;
	submit(e);
}

/* Each file's reads and writes (read, pread64, readv, write, pwrite64, writev, sendfile) by one process through one fd:
 * the key of its totals. */
struct file_key {
	__u32 tgid;
	__s32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct file_key);
	__type(value, struct file_io_event);
} file_totals SEC(".maps");

/* A new entry is built here: too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_io_event);
} file_scratch SEC(".maps");

/* Names of the path, at most this many, each at an offset below FILE_PATH_LEN / 2 with up to that many bytes (a bound
 * the verifier checks). */
#define PATH_DEPTH 24
#define HALF_PATH (FILE_PATH_LEN / 2)

/* The names from the file up to the root, NUL-separated (the tracer joins them the other way round), crossing mount
 * points: a path as the process's root sees it, without bpf_d_path (which tracepoints may not call). */
static __always_inline void file_path(struct file *file, struct file_io_event *e)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	__u32 used = 0;
	e->path_truncated = 1;
	for (int i = 0; i < PATH_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		if (dentry == BPF_CORE_READ(vfsmnt, mnt_root) || dentry == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
			if (dentry != BPF_CORE_READ(vfsmnt, mnt_root) || up == mnt) {
				e->path_truncated = 0;
				break;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vfsmnt = (void *)mnt + bpf_core_field_offset(struct mount, mnt);
			continue;
		}
		if (used >= HALF_PATH)
			break;
		long length = bpf_probe_read_kernel_str(&e->path[used & (HALF_PATH - 1)], HALF_PATH, BPF_CORE_READ(dentry, d_name.name));
		if (length < 0)
			break;
		used += length;
		dentry = parent;
	}
	if (used < FILE_PATH_LEN)
		e->path[used & (FILE_PATH_LEN - 1)] = 0;
}

/* A read or write that returned bytes >= 0 on a regular file: counted in its entry, made at the first one. The hot
 * path is one lookup and the adds; a miss (a new file, or not a regular one) looks the file up. */
static __always_inline void count_io(int fd, bool write, long ret)
{
	if (ret < 0 || !wanted())
		return;
	struct file_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd };
	struct file_io_event *e = bpf_map_lookup_elem(&file_totals, &key);
	if (!e) {
		struct file *file = current_file(fd);
		if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFREG)
			return;
		__u32 zero = 0;
		e = bpf_map_lookup_elem(&file_scratch, &zero);
		if (!e)
			return;
		fill_common(e, EVENT_FILE_IO);
		e->first_ns = e->boot_ns;
		e->last_ns = e->boot_ns;
		e->reserved_totals = 0;
		e->fd = fd;
		e->reads = e->read_bytes = e->writes = e->write_bytes = 0;
		__builtin_memset(e->reserved, 0, sizeof(e->reserved));
		file_path(file, e);
		if (bpf_map_update_elem(&file_totals, &key, e, BPF_NOEXIST) == -7) /* E2BIG: the map is full */
			count_lost();
		e = bpf_map_lookup_elem(&file_totals, &key);
		if (!e)
			return;
	}
	e->last_ns = bpf_ktime_get_boot_ns();
	if (write) {
		__sync_fetch_and_add(&e->writes, 1);
		__sync_fetch_and_add(&e->write_bytes, ret);
	} else {
		__sync_fetch_and_add(&e->reads, 1);
		__sync_fetch_and_add(&e->read_bytes, ret);
	}
}

/* sendfile(out, in, ...) is a read of in and a write of out (busybox cat copies with it), each counted where a
 * regular file. */
static __always_inline void count_sendfile(struct pt_regs *regs, long ret)
{
	count_io(PT_REGS_PARM2_SYSCALL(regs), false, ret);
	count_io(PT_REGS_PARM1_SYSCALL(regs), true, ret);
}

/* A descriptor closed, by close or by dup2 and dup3 over it (they return it): its file's totals reported and removed.
 * A descriptor closed otherwise (at exit, exec's O_CLOEXEC) is reported idle or at the tracer's exit. */
static __always_inline void close_fd(int fd)
{
	struct file_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd };
	struct file_io_event *e = bpf_map_lookup_elem(&file_totals, &key);
	if (!e)
		return;
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->reason = FLUSH_CLOSE;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), wakeup_flag()))
		count_lost();
	bpf_map_delete_elem(&file_totals, &key);
}

static __always_inline bool is_io(long nr, bool *write)
{
	*write = nr == NR_WRITE || nr == NR_PWRITE64 || nr == NR_WRITEV;
	return *write || nr == NR_READ || nr == NR_PREAD64 || nr == NR_READV;
}

/* open/openat/openat2, unlink/unlinkat/rmdir, reads, writes and closes where their own tracepoints (below) cannot be
 * used, seen at syscall exit, where the arguments (still in pt_regs) and the result are both known. sys_exit
 * needs no kprobes (some kernels have none, CONFIG_KPROBES unset) and no tracefs, but it runs for every syscall. */
static __always_inline int file_sys_exit(struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
	bool write;
	if (is_io(nr, &write)) {
		if (traced(EVENT_FILE_IO))
			count_io(PT_REGS_PARM1_SYSCALL(regs), write, ret);
		return 0;
	}
	if (nr == NR_SENDFILE) {
		if (traced(EVENT_FILE_IO))
			count_sendfile(regs, ret);
		return 0;
	}
	if (nr == NR_CLOSE) {
		if (traced(EVENT_FILE_IO))
			close_fd(PT_REGS_PARM1_SYSCALL(regs));
		return 0;
	}
#ifdef NR_DUP2
	if (nr == NR_DUP2 || nr == NR_DUP3) {
#else
	if (nr == NR_DUP3) {
#endif
		if (traced(EVENT_FILE_IO) && ret >= 0)
			close_fd(ret);
		return 0;
	}
#ifdef NR_OPEN
	bool open = nr == NR_OPENAT || nr == NR_OPENAT2 || nr == NR_OPEN;
#else
	bool open = nr == NR_OPENAT || nr == NR_OPENAT2;
#endif
	if (open && !tracer_settings.open_tracepoints && traced(EVENT_OPEN) && pid_wanted())
		emit_open(NULL, regs, nr, ret); /* which filters on comm itself */
#if defined(NR_UNLINK) && defined(NR_RMDIR)
	else if (nr == NR_UNLINKAT || nr == NR_UNLINK || nr == NR_RMDIR)
#else
	else if (nr == NR_UNLINKAT)
#endif
		emit_unlink(regs, nr, ret);
	return 0;
}

ON_SYS_EXIT(handle_file_sys_exit, file_sys_exit)

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

/* The other file syscalls' own tracepoints, with the same needs. */
static __always_inline int io_exit(bool write, long ret)
{
	count_io(PT_REGS_PARM1_SYSCALL(current_regs()), write, ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int handle_read_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(false, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_pread64")
int handle_pread64_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(false, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int handle_readv_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(false, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_sendfile64")
int handle_sendfile_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	count_sendfile(current_regs(), ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_write")
int handle_write_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(true, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_pwrite64")
int handle_pwrite64_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(true, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int handle_writev_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return io_exit(true, ctx->ret);
}

/* dup2 and dup3 close the descriptor they return. */
static __always_inline int dup_exit(long ret)
{
	if (ret >= 0)
		close_fd(ret);
	return 0;
}

#ifdef NR_DUP2
SEC("tracepoint/syscalls/sys_exit_dup2")
int handle_dup2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return dup_exit(ctx->ret);
}
#endif

SEC("tracepoint/syscalls/sys_exit_dup3")
int handle_dup3_exit(struct trace_event_raw_sys_exit *ctx)
{
	return dup_exit(ctx->ret);
}

/* At close's entry: afterwards the fd says nothing. */
SEC("tracepoint/syscalls/sys_enter_close")
int handle_close_enter(struct trace_event_raw_sys_enter *ctx)
{
	close_fd(ctx->args[0]);
	return 0;
}

static __always_inline int unlink_exit(long nr, long ret)
{
	emit_unlink(current_regs(), nr, ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_unlinkat")
int handle_unlinkat_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return unlink_exit(NR_UNLINKAT, ctx->ret);
}

#ifdef NR_UNLINK
SEC("tracepoint/syscalls/sys_exit_unlink")
int handle_unlink_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return unlink_exit(NR_UNLINK, ctx->ret);
}
#endif

#ifdef NR_RMDIR
SEC("tracepoint/syscalls/sys_exit_rmdir")
int handle_rmdir_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return unlink_exit(NR_RMDIR, ctx->ret);
}
#endif

SEC("tracepoint/syscalls/sys_exit_openat")
int handle_openat_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(NR_OPENAT, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int handle_openat2_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(NR_OPENAT2, ctx->ret);
}

#ifdef NR_OPEN
SEC("tracepoint/syscalls/sys_exit_open")
int handle_open_exit_btf(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(NR_OPEN, ctx->ret);
}
#endif
