// SPDX-License-Identifier: GPL-2.0 OR MIT
/* DNS: every message a traced process sends to or receives from port 53, over UDP or TCP, copied for the tracer to
 * decode. */
#include "socket.bpf.h"

#define DNS_PORT 53

/* sendmmsg and recvmmsg: this many messages a call are copied (glibc sends a name's A and AAAA queries in one). */
#define MMSG_COPIED 4

/* A record is too big for the stack: built here, then copied into the ring at its used length. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dns_event);
} dns_scratch SEC(".maps");

static __always_inline void copy_message(const struct sock *sk, __u8 protocol, const struct socket_call *c, long bytes)
{
	__u32 zero = 0;
	struct dns_event *e = bpf_map_lookup_elem(&dns_scratch, &zero);
	if (!e || !peer_end(sk, c->peer, &e->family, &e->dport, e->daddr))
		return;
	local_end(sk, e->family, &e->sport, e->saddr);
	if (e->sport != DNS_PORT && e->dport != DNS_PORT)
		return;
	fill_common(e, EVENT_DNS);
	e->direction = c->send ? DNS_SENT : DNS_RECEIVED;
	e->protocol = protocol;
	e->reserved = 0;
	e->message_size = bytes;
	/* The first buffer holds what was moved first; a message spread over several buffers is cut at the first's end. */
	__u64 kept = bytes < c->length ? bytes : c->length;
	if (kept > DNS_PAYLOAD_LEN - 1)
		kept = DNS_PAYLOAD_LEN - 1;
	kept &= DNS_PAYLOAD_LEN - 1;
	if (bpf_probe_read_user(e->payload, kept, c->buffer))
		kept = 0;
	e->kept = kept;
	if (bpf_ringbuf_output(&events, e, offsetof(struct dns_event, payload) + kept, wakeup_flag()))
		count_lost();
}

/* A socket data syscall's exit. btf: the program is named *_btf (current_file_for). */
static __always_inline void dns_call(long nr, struct pt_regs *regs, long ret, bool btf)
{
	if (ret <= 0 || !wanted())
		return;
	struct socket_call c;
	if (!socket_call(nr, regs, 0, &c))
		return;
	struct sock *sk = file_sock(current_file_for(c.fd, btf));
	if (!sk)
		return;
	__u8 protocol = BPF_CORE_READ(sk, sk_protocol);
	if (protocol != IPPROTO_UDP && protocol != IPPROTO_TCP)
		return;
	if (nr != NR_SENDMMSG && nr != NR_RECVMMSG) {
		copy_message(sk, protocol, &c, ret);
		return;
	}
	for (int i = 0; i < MMSG_COPIED && i < ret; i++) {
		if (i > 0 && !socket_call(nr, regs, i, &c))
			return;
		copy_message(sk, protocol, &c, mmsg_length(regs, i));
	}
}

/* The syscalls' own exit tracepoints: their programs are all *_btf. */
static __always_inline void dns_exit(long nr, struct pt_regs *regs, long ret)
{
	dns_call(nr, regs, ret, true);
}

static __always_inline int dns_sys_exit(struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
	if (is_socket_data(nr))
		dns_call(nr, regs, ret, false);
	return 0;
}

ON_SYS_EXIT(handle_dns_sys_exit, dns_sys_exit)

ON_SYSCALL_EXIT(handle_dns_sendto_exit, sendto, NR_SENDTO, dns_exit)
ON_SYSCALL_EXIT(handle_dns_recvfrom_exit, recvfrom, NR_RECVFROM, dns_exit)
ON_SYSCALL_EXIT(handle_dns_sendmsg_exit, sendmsg, NR_SENDMSG, dns_exit)
ON_SYSCALL_EXIT(handle_dns_recvmsg_exit, recvmsg, NR_RECVMSG, dns_exit)
ON_SYSCALL_EXIT(handle_dns_sendmmsg_exit, sendmmsg, NR_SENDMMSG, dns_exit)
ON_SYSCALL_EXIT(handle_dns_recvmmsg_exit, recvmmsg, NR_RECVMMSG, dns_exit)
ON_SYSCALL_EXIT(handle_dns_write_exit, write, NR_WRITE, dns_exit)
ON_SYSCALL_EXIT(handle_dns_read_exit, read, NR_READ, dns_exit)
