/* What the socket data syscalls pass, read at their exit by the UDP flows (net.bpf.c) and DNS (dns.bpf.c). */
#ifndef SOCKET_BPF_H
#define SOCKET_BPF_H

#include "common.bpf.h"

/* A send or receive: the descriptor, the first buffer, and the peer's sockaddr in the caller's memory (NULL where the
 * socket is connected: the socket knows its peer). sendmmsg and recvmmsg: the message at index. */
struct socket_call {
	int fd;
	bool send;
	const void *buffer;
	__u64 length;
	const void *peer;
};

/* The UAPI struct user_msghdr and struct mmsghdr (a stable ABI, read without CO-RE). */
struct call_msghdr {
	void *name;
	int namelen;
	struct iovec *iov;
	__u64 iovlen;
	void *control;
	__u64 controllen;
	unsigned int flags;
};

struct call_mmsghdr {
	struct call_msghdr hdr;
	unsigned int len;
};

static __always_inline bool is_socket_data(long nr)
{
	return nr == NR_SENDTO || nr == NR_RECVFROM || nr == NR_SENDMSG || nr == NR_RECVMSG || nr == NR_SENDMMSG ||
	       nr == NR_RECVMMSG || nr == NR_WRITE || nr == NR_READ;
}

/* The arguments of a socket data syscall (is_socket_data) still in its pt_regs at exit. */
static __always_inline bool socket_call(long nr, struct pt_regs *regs, int index, struct socket_call *c)
{
	c->fd = PT_REGS_PARM1_SYSCALL(regs);
	c->send = nr == NR_SENDTO || nr == NR_SENDMSG || nr == NR_SENDMMSG || nr == NR_WRITE;
	c->peer = NULL;
	if (nr == NR_SENDTO || nr == NR_RECVFROM) {
		c->buffer = (const void *)PT_REGS_PARM2_SYSCALL(regs);
		c->length = PT_REGS_PARM3_SYSCALL(regs);
		c->peer = (const void *)PT_REGS_PARM5_SYSCALL(regs);
		return true;
	}
	if (nr == NR_WRITE || nr == NR_READ) {
		c->buffer = (const void *)PT_REGS_PARM2_SYSCALL(regs);
		c->length = PT_REGS_PARM3_SYSCALL(regs);
		return true;
	}
	struct call_msghdr msg;
	const struct call_mmsghdr *vector = (const struct call_mmsghdr *)PT_REGS_PARM2_SYSCALL(regs);
	const void *hdr = nr == NR_SENDMSG || nr == NR_RECVMSG ? (const void *)vector : (const void *)&vector[index];
	if (bpf_probe_read_user(&msg, sizeof(msg), hdr))
		return false;
	struct iovec iov = {};
	if (msg.iovlen > 0 && bpf_probe_read_user(&iov, sizeof(iov), msg.iov))
		return false;
	c->buffer = iov.iov_base;
	c->length = iov.iov_len;
	c->peer = msg.name;
	return true;
}

/* The bytes a sendmmsg or recvmmsg moved for its message at index. */
static __always_inline long mmsg_length(struct pt_regs *regs, int index)
{
	const struct call_mmsghdr *vector = (const struct call_mmsghdr *)PT_REGS_PARM2_SYSCALL(regs);
	unsigned int length = 0;
	bpf_probe_read_user(&length, sizeof(length), &vector[index].len);
	return length;
}

/* The start of the UAPI sockaddr_in / sockaddr_in6: the address is at offset 4 in the one and 8 in the other (after
 * sin6_flowinfo). */
struct call_sockaddr {
	__u16 family;
	__be16 port;
	__u8 in4[4];
	__u8 in6[16];
};

/* This end of a socket: its port (inet_sport: a closing socket has given skc_num back) and address. */
static __always_inline void local_end(const struct sock *sk, __u16 family, __u16 *port, __u8 *address)
{
	*port = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
	__builtin_memset(address, 0, 16);
	if (family == AF_INET)
		bpf_core_read(address, 4, &sk->__sk_common.skc_rcv_saddr);
	else if (bpf_core_field_exists(sk->__sk_common.skc_v6_rcv_saddr))
		bpf_core_read(address, 16, &sk->__sk_common.skc_v6_rcv_saddr);
}

static __always_inline long read_memory(void *to, __u32 size, const void *from, bool user_memory)
{
	return user_memory ? bpf_probe_read_user(to, size, from) : bpf_probe_read_kernel(to, size, from);
}

/* An IPv4 or IPv6 sockaddr, false for any other. No byte past the end its family gives is read: the caller's next page
 * may be mapped and never touched, and a BPF program's read fails there (it cannot fault the page in). */
static __always_inline bool read_sockaddr(struct call_sockaddr *addr, const void *from, bool user_memory)
{
	const __u32 head = offsetof(struct call_sockaddr, in6);
	if (read_memory(addr, head, from, user_memory) || (addr->family != AF_INET && addr->family != AF_INET6))
		return false;
	return addr->family == AF_INET || !read_memory(addr->in6, sizeof(addr->in6), (const char *)from + head, user_memory);
}

/* The peer a call names in its sockaddr. False when it names none, or not an IPv4 or IPv6 one. */
static __always_inline bool named_peer(const void *peer, __u16 *family, __u16 *port, __u8 *address)
{
	__builtin_memset(address, 0, 16);
	struct call_sockaddr addr = {};
	if (!peer || !read_sockaddr(&addr, peer, true))
		return false;
	*family = addr.family;
	*port = bpf_ntohs(addr.port);
	if (addr.family == AF_INET)
		__builtin_memcpy(address, addr.in4, 4);
	else
		__builtin_memcpy(address, addr.in6, 16);
	return true;
}

/* The peer a connected socket has. False when it has none. */
static __always_inline bool connected_peer(const struct sock *sk, __u16 *family, __u16 *port, __u8 *address)
{
	__builtin_memset(address, 0, 16);
	*family = BPF_CORE_READ(sk, __sk_common.skc_family);
	*port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (*family == AF_INET)
		bpf_core_read(address, 4, &sk->__sk_common.skc_daddr);
	else if (bpf_core_field_exists(sk->__sk_common.skc_v6_daddr))
		bpf_core_read(address, 16, &sk->__sk_common.skc_v6_daddr);
	return *port != 0;
}

/* The peer of a call: its sockaddr where it passed one, else the connected socket's. False when neither says. */
static __always_inline bool peer_end(const struct sock *sk, const void *peer, __u16 *family, __u16 *port, __u8 *address)
{
	return peer ? named_peer(peer, family, port, address) : connected_peer(sk, family, port, address);
}

#endif
