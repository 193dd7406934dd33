// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Network flows: TCP connects and accepts, each TCP flow's end with its duration and bytes, and UDP flows counted in
 * the kernel. */
#include "socket.bpf.h"

/* A TCP connect call: family, destination and port from the call's own sockaddr (the socket forgets its
 * destination when the connect fails), the source from the socket once the kernel has chosen it (0 before,
 * and again after a refused connect, which releases it), and the call's result. */
static __always_inline void emit_connect(struct socket *sock, const void *uaddr, bool user_memory, long ret)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return;
	struct call_sockaddr addr = {};
	if (!read_sockaddr(&addr, uaddr, user_memory))
		return; /* AF_UNSPEC disconnects; others fail with EAFNOSUPPORT */

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

/* connect(2) at its exit: the socket behind the fd argument (connect on another fd fails with ENOTSOCK). */
static __always_inline void connect_syscall_exit(struct pt_regs *regs, long ret)
{
	struct socket *sock = current_socket(PT_REGS_PARM1_CORE_SYSCALL(regs));
	if (sock)
		emit_connect(sock, (const void *)PT_REGS_PARM2_CORE_SYSCALL(regs), true, ret);
}

/* TCP flows made here, by socket: who made each and when, for the event at its close. */
struct flow {
	__u64 start_ns;
	__u32 pid;
	enum flow_direction direction;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct flow);
} flows SEC(".maps");

static __always_inline void flow_start(const struct sock *sk, enum flow_direction direction)
{
	struct flow flow = { .start_ns = bpf_ktime_get_boot_ns(), .pid = bpf_get_current_pid_tgid() >> 32, .direction = direction };
	bpf_get_current_comm(flow.comm, sizeof(flow.comm));
	__u64 key = (__u64)sk;
	bpf_map_update_elem(&flows, &key, &flow, BPF_ANY);
}

/* Both ends of a socket into an event: family, ports (host order) and addresses (network order). */
static __always_inline bool sock_endpoints(const struct sock *sk, __u16 *family, __u16 *sport, __u16 *dport, __u8 *saddr, __u8 *daddr)
{
	*family = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* inet_sport, not skc_num: a closing socket gives its port back (skc_num 0) before the CLOSE state is stored. */
	*sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
	*dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__builtin_memset(saddr, 0, 16);
	__builtin_memset(daddr, 0, 16);
	if (*family == AF_INET) {
		bpf_core_read(saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(daddr, 4, &sk->__sk_common.skc_daddr);
		return true;
	}
	if (*family == AF_INET6 && bpf_core_field_exists(sk->__sk_common.skc_v6_rcv_saddr)) {
		bpf_core_read(saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(daddr, 16, &sk->__sk_common.skc_v6_daddr);
		return true;
	}
	return false;
}

/* An accepted TCP connection at accept's exit: the new fd's socket has both ends; its flow starts here. */
static __always_inline void accept_exit(long fd)
{
	if (fd < 0 || !wanted())
		return;
	struct sock *sk = protocol_sock(current_file(fd), IPPROTO_TCP);
	if (!sk)
		return;
	if (traced(EVENT_TCP_CLOSE))
		flow_start(sk, FLOW_ACCEPT);
	if (!traced(EVENT_ACCEPT))
		return;
	struct connect_event *e = reserve(sizeof(*e));
	if (!e)
		return;
	fill_common(e, EVENT_ACCEPT);
	e->reserved = 0;
	e->result = fd;
	if (!sock_endpoints(sk, &e->family, &e->sport, &e->dport, e->saddr, e->daddr)) {
		bpf_ringbuf_discard(e, 0);
		return;
	}
	submit(e);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int handle_accept4_exit(struct trace_event_raw_sys_exit *ctx)
{
	accept_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int handle_accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	accept_exit(ctx->ret);
	return 0;
}

/* connect unless the kprobes below catch it, and accept unless its tracepoints above do, seen at syscall exit (as
 * handle_file_sys_exit sees opens). */
static __always_inline int net_sys_exit(struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
	if (nr == NR_CONNECT && !tracer_settings.connect_kprobe && traced(EVENT_CONNECT) && wanted())
		connect_syscall_exit(regs, ret);
	else if ((nr == NR_ACCEPT || nr == NR_ACCEPT4) && !tracer_settings.socket_tracepoints && (traced(EVENT_ACCEPT) || traced(EVENT_TCP_CLOSE)))
		accept_exit(ret);
	return 0;
}

ON_SYS_EXIT(handle_net_sys_exit, net_sys_exit)

/* A TCP socket's state changes: SYN_SENT is a connect starting (in the connecting process), CLOSE the end of every
 * flow, however it ended (a refused connect, a reset, both FINs). The socket's own counters give the bytes (tcp_info's
 * tcpi_bytes_sent and tcpi_bytes_received, less the retransmissions and the FIN). */
SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(handle_sock_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (newstate == BPF_TCP_SYN_SENT) {
		if (wanted())
			flow_start(sk, FLOW_CONNECT);
		return 0;
	}
	if (newstate != BPF_TCP_CLOSE)
		return 0;
	__u64 key = (__u64)sk;
	struct flow *flow = bpf_map_lookup_elem(&flows, &key);
	if (!flow)
		return 0;
	struct tcp_close_event *e = reserve(sizeof(*e));
	if (e) {
		e->boot_ns = bpf_ktime_get_boot_ns();
		e->type = EVENT_TCP_CLOSE;
		e->pid = flow->pid;
		__builtin_memcpy(e->comm, flow->comm, sizeof(e->comm));
		e->direction = flow->direction;
		e->reserved = 0;
		e->reserved2 = 0;
		e->duration_ns = e->boot_ns - flow->start_ns;
		/* Payload only: bytes_sent counts retransmissions again, bytes_received the peer's FIN (SOCK_DONE: one came). */
		const struct tcp_sock *tp = (const struct tcp_sock *)sk;
		e->bytes_sent = BPF_CORE_READ(tp, bytes_sent) - BPF_CORE_READ(tp, bytes_retrans);
		e->bytes_received = BPF_CORE_READ(tp, bytes_received) - ((BPF_CORE_READ(sk, __sk_common.skc_flags) >> SOCK_DONE) & 1);
		sock_endpoints(sk, &e->family, &e->sport, &e->dport, e->saddr, e->daddr);
		submit(e);
	}
	bpf_map_delete_elem(&flows, &key);
	return 0;
}

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
	if (!traced(EVENT_CONNECT) || !BPF_CORE_READ(sock, file) || !wanted())
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

/* UDP flows, by (process, descriptor, peer), and the descriptors that have some, so that a close finds them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct udp_key);
	__type(value, struct udp_event);
} udp_totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* tgid << 32 | fd */
	__type(value, __u8);
} udp_fds SEC(".maps");

/* A new flow for key, made at its first datagram on fd: NULL when the map is full. */
static __always_inline struct udp_event *add_flow(const struct sock *sk, const struct udp_key *key, int fd)
{
	struct udp_event flow = {};
	fill_common(&flow, EVENT_UDP);
	flow.first_ns = flow.boot_ns;
	flow.fd = fd;
	flow.family = key->family;
	flow.dport = key->dport;
	__builtin_memcpy(flow.daddr, key->daddr, 16);
	local_end(sk, key->family, &flow.sport, flow.saddr);
	if (bpf_map_update_elem(&udp_totals, key, &flow, BPF_NOEXIST) == -7) /* E2BIG: the map is full */
		count_lost();
	__u64 fd_key = (__u64)key->tgid << 32 | (__u32)fd;
	__u8 one = 1;
	bpf_map_update_elem(&udp_fds, &fd_key, &one, BPF_ANY);
	return bpf_map_lookup_elem(&udp_totals, key);
}

/* One datagram sent or received with its bytes (or, for sendmmsg and recvmmsg, each of them). A call that names its
 * peer and has been counted before finds its flow by the descriptor and that peer alone: only a flow's first call, and
 * calls that name no peer, go through the fd table to the socket. As for file totals, a descriptor's flows are trusted
 * to be its own until it is closed (close, dup2, dup3). btf: the program is named *_btf (current_file_for). */
static __always_inline void count_udp(const struct socket_call *c, long bytes, bool btf)
{
	struct udp_key key = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = c->fd };
	bool named = named_peer(c->peer, &key.family, &key.dport, key.daddr);
	struct udp_event *e = named ? bpf_map_lookup_elem(&udp_totals, &key) : NULL;
	if (!e) {
		const struct sock *sk = protocol_sock(current_file_for(c->fd, btf), IPPROTO_UDP);
		if (!sk)
			return;
		if (!named) {
			/* A receive on an unconnected socket that asks no source address has no known peer: counted under
			 * port 0. */
			if (!connected_peer(sk, &key.family, &key.dport, key.daddr)) {
				key.family = BPF_CORE_READ(sk, __sk_common.skc_family);
				key.dport = 0;
			}
			e = bpf_map_lookup_elem(&udp_totals, &key);
		}
		if (!e)
			e = add_flow(sk, &key, c->fd);
		if (!e)
			return;
	}
	e->last_ns = bpf_ktime_get_boot_ns();
	if (c->send) {
		__sync_fetch_and_add(&e->datagrams_sent, 1);
		__sync_fetch_and_add(&e->bytes_sent, bytes);
	} else {
		__sync_fetch_and_add(&e->datagrams_received, 1);
		__sync_fetch_and_add(&e->bytes_received, bytes);
	}
}

/* sendmmsg and recvmmsg move up to this many messages a call that are counted one by one. */
#define MMSG_COUNTED 8

/* A socket data syscall's exit on a UDP socket of a traced process. */
static __always_inline void count_udp_call(long nr, struct pt_regs *regs, long ret, bool btf)
{
	if (ret <= 0 || !wanted())
		return;
	struct socket_call c;
	if (!socket_call(nr, regs, 0, &c))
		return;
	if (nr != NR_SENDMMSG && nr != NR_RECVMMSG) {
		count_udp(&c, ret, btf);
		return;
	}
	for (int i = 0; i < MMSG_COUNTED && i < ret; i++) {
		if (i > 0 && !socket_call(nr, regs, i, &c))
			return;
		count_udp(&c, mmsg_length(regs, i), btf);
	}
}

/* The syscalls' own exit tracepoints: their programs are all *_btf. */
static __always_inline void udp_exit(long nr, struct pt_regs *regs, long ret)
{
	count_udp_call(nr, regs, ret, true);
}

/* A descriptor closed (by close, or by dup2 and dup3 over it): if it had UDP flows, the tracer reports them. */
static __always_inline void udp_close(int fd)
{
	__u64 fd_key = (bpf_get_current_pid_tgid() >> 32) << 32 | (__u32)fd;
	if (!bpf_map_lookup_elem(&udp_fds, &fd_key))
		return;
	bpf_map_delete_elem(&udp_fds, &fd_key);
	struct udp_close_event *e = reserve(sizeof(*e));
	if (!e)
		return;
	fill_common(e, EVENT_UDP_CLOSE);
	e->fd = fd;
	e->reserved = 0;
	submit(e);
}

static __always_inline int udp_sys_exit(struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
	if (is_socket_data(nr))
		count_udp_call(nr, regs, ret, false);
	else if (nr == NR_CLOSE)
		udp_close(PT_REGS_PARM1_SYSCALL(regs));
#ifdef NR_DUP2
	else if ((nr == NR_DUP2 || nr == NR_DUP3) && ret >= 0)
#else
	else if (nr == NR_DUP3 && ret >= 0)
#endif
		udp_close(ret);
	return 0;
}

ON_SYS_EXIT(handle_udp_sys_exit, udp_sys_exit)

ON_SYSCALL_EXIT(handle_udp_sendto_exit, sendto, NR_SENDTO, udp_exit)
ON_SYSCALL_EXIT(handle_udp_recvfrom_exit, recvfrom, NR_RECVFROM, udp_exit)
ON_SYSCALL_EXIT(handle_udp_sendmsg_exit, sendmsg, NR_SENDMSG, udp_exit)
ON_SYSCALL_EXIT(handle_udp_recvmsg_exit, recvmsg, NR_RECVMSG, udp_exit)
ON_SYSCALL_EXIT(handle_udp_sendmmsg_exit, sendmmsg, NR_SENDMMSG, udp_exit)
ON_SYSCALL_EXIT(handle_udp_recvmmsg_exit, recvmmsg, NR_RECVMMSG, udp_exit)
ON_SYSCALL_EXIT(handle_udp_write_exit, write, NR_WRITE, udp_exit)
ON_SYSCALL_EXIT(handle_udp_read_exit, read, NR_READ, udp_exit)

SEC("tracepoint/syscalls/sys_enter_close")
int handle_udp_close_enter(struct trace_event_raw_sys_enter *ctx)
{
	udp_close(ctx->args[0]);
	return 0;
}

#ifdef NR_DUP2
SEC("tracepoint/syscalls/sys_exit_dup2")
int handle_udp_dup2_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret >= 0)
		udp_close(ctx->ret);
	return 0;
}
#endif

SEC("tracepoint/syscalls/sys_exit_dup3")
int handle_udp_dup3_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret >= 0)
		udp_close(ctx->ret);
	return 0;
}
