/* The VM's UDP peer (busybox has no UDP server, and its nslookup needs one to get an answer): built static for each
 * arch by VmTest and run by init.sh.
 *   udppeer serve ADDRESS PORT COUNT    answers COUNT datagrams with as many bytes of 'r', then exits
 *   udppeer send ADDRESS PORT SIZE...   connects, sends a datagram of each SIZE bytes of 'q' and waits for its answer
 *   udppeer dns PORT                    answers DNS queries on 127.0.0.1:PORT until none comes for 2 s: an A query for
 *                                       any name with 93.184.216.34 (TTL 300), any other type with no answers
 * Every other wait ends after 3 s, so a lost datagram fails the run instead of hanging the VM. Exit 0, or 1 with a
 * line. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* An address of either family from its text; the size it takes in *length. */
static int parse(const char *text, int port, struct sockaddr_storage *address, socklen_t *length)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)address;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)address;
	memset(address, 0, sizeof(*address));
	if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		*length = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*length = sizeof(*v6);
		return 0;
	}
	fprintf(stderr, "udppeer: not an address: %s\n", text);
	return -1;
}

static int open_socket(int family, int seconds)
{
	struct timeval timeout = { .tv_sec = seconds };
	int fd = socket(family, SOCK_DGRAM, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	return fd;
}

static int serve(const char *text, int port, int count)
{
	struct sockaddr_storage address, peer;
	socklen_t length, peer_length;
	char buffer[65536];
	if (parse(text, port, &address, &length))
		return 1;
	int fd = open_socket(address.ss_family, 3);
	if (fd < 0 || bind(fd, (struct sockaddr *)&address, length))
		return fail("udppeer serve: bind");
	for (int i = 0; i < count; i++) {
		peer_length = sizeof(peer);
		ssize_t size = recvfrom(fd, buffer, sizeof(buffer), 0, (struct sockaddr *)&peer, &peer_length);
		if (size < 0)
			return fail("udppeer serve: recvfrom");
		memset(buffer, 'r', size);
		if (sendto(fd, buffer, size, 0, (struct sockaddr *)&peer, peer_length) != size)
			return fail("udppeer serve: sendto");
	}
	close(fd);
	return 0;
}

static int send_each(const char *text, int port, char **sizes, int count)
{
	struct sockaddr_storage address;
	socklen_t length;
	char buffer[65536];
	if (parse(text, port, &address, &length))
		return 1;
	int fd = open_socket(address.ss_family, 3);
	if (fd < 0 || connect(fd, (struct sockaddr *)&address, length))
		return fail("udppeer send: connect");
	for (int i = 0; i < count; i++) {
		size_t size = strtoul(sizes[i], NULL, 10);
		if (size > sizeof(buffer))
			size = sizeof(buffer);
		memset(buffer, 'q', size);
		if (send(fd, buffer, size, 0) != (ssize_t)size)
			return fail("udppeer send: send");
		if (recv(fd, buffer, sizeof(buffer), 0) < 0)
			return fail("udppeer send: recv");
	}
	close(fd);
	return 0;
}

/* A response to a query: its header with QR, RD and RA set and NOERROR, its question, and for an A query one answer
 * that points at the question's name. */
static int dns(int port)
{
	static const unsigned char answer[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 93, 184, 216, 34 };
	struct sockaddr_storage address, peer;
	socklen_t length, peer_length;
	unsigned char query[512], response[512 + sizeof(answer)];
	if (parse("127.0.0.1", port, &address, &length))
		return 1;
	int fd = open_socket(AF_INET, 2);
	if (fd < 0 || bind(fd, (struct sockaddr *)&address, length))
		return fail("udppeer dns: bind");
	for (;;) {
		peer_length = sizeof(peer);
		ssize_t size = recvfrom(fd, query, sizeof(query), 0, (struct sockaddr *)&peer, &peer_length);
		if (size < 0)
			break; /* none for 3 s: done */
		/* The question ends after its name's zero label, then type and class. */
		ssize_t end = 12;
		while (end < size && query[end])
			end += query[end] + 1;
		end += 5;
		if (size < 12 || end > size)
			continue;
		int a = query[end - 4] == 0 && query[end - 3] == 1;
		memcpy(response, query, end);
		response[2] = 0x80 | (query[2] & 0x01); /* QR, RD as asked */
		response[3] = 0x80;                      /* RA, NOERROR */
		response[6] = 0;
		response[7] = a;  /* ANCOUNT */
		memset(response + 8, 0, 4);
		if (a)
			memcpy(response + end, answer, sizeof(answer));
		if (sendto(fd, response, end + (a ? sizeof(answer) : 0), 0, (struct sockaddr *)&peer, peer_length) < 0)
			return fail("udppeer dns: sendto");
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "serve"))
		return serve(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 5 && !strcmp(argv[1], "send"))
		return send_each(argv[2], atoi(argv[3]), argv + 4, argc - 4);
	if (argc == 3 && !strcmp(argv[1], "dns"))
		return dns(atoi(argv[2]));
	fprintf(stderr, "usage: udppeer serve ADDRESS PORT COUNT | send ADDRESS PORT SIZE... | dns PORT\n");
	return 2;
}
