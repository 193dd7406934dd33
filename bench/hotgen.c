/* The workloads of bench/hotpaths.sh, one per hot path, for a fixed time; prints "<operations> <operations per second>".
 *   io FILE: 4 KiB reads and writes of FILE, alternating, from its start every 256 KiB (the page cache's: no disk)
 *   exec: fork and exec /bin/true, waiting for each
 *   udp: 64-byte datagrams sent to a socket of its own on 127.0.0.1, which reads none (they are dropped, sends succeed) */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s SECONDS io FILE | exec | udp\n", argv[0]);
		return 2;
	}
	double seconds = atof(argv[1]), start = now(), elapsed;
	const char *mode = argv[2];
	long operations = 0;
	char buffer[4096];
	memset(buffer, 'x', sizeof(buffer));
	int fd = -1;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (!strcmp(mode, "io")) {
		if (argc < 4 || (fd = open(argv[3], O_RDWR | O_CREAT, 0600)) < 0) {
			perror("io FILE");
			return 1;
		}
	} else if (!strcmp(mode, "udp")) {
		int sink = socket(AF_INET, SOCK_DGRAM, 0);
		socklen_t length = sizeof(to);
		if (sink < 0 || bind(sink, (struct sockaddr *)&to, sizeof(to)) || getsockname(sink, (struct sockaddr *)&to, &length) ||
		    (fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
			perror("udp");
			return 1;
		}
	} else if (strcmp(mode, "exec")) {
		fprintf(stderr, "%s: unknown workload %s\n", argv[0], mode);
		return 2;
	}
	do {
		for (int i = 0; i < 64; i++) {
			if (!strcmp(mode, "io")) {
				if (i % 64 == 0)
					lseek(fd, 0, SEEK_SET);
				if ((i % 2 ? read(fd, buffer, sizeof(buffer)) : write(fd, buffer, sizeof(buffer))) < 0) {
					perror("io");
					return 1;
				}
			} else if (!strcmp(mode, "udp")) {
				if (sendto(fd, buffer, 64, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
					perror("sendto");
					return 1;
				}
			} else {
				pid_t child = fork();
				if (child == 0) {
					execl("/bin/true", "true", (char *)NULL);
					_exit(127);
				}
				waitpid(child, NULL, 0);
			}
		}
		operations += 64;
		elapsed = now() - start;
	} while (elapsed < seconds);
	printf("%ld %.0f\n", operations, operations / elapsed);
	return 0;
}
