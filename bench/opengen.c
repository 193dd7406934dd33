/* Opens and closes one file as fast as it can for a fixed time, then prints "<opens> <opens per second>". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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
	if (argc != 3) {
		fprintf(stderr, "usage: %s SECONDS FILE\n", argv[0]);
		return 2;
	}
	double seconds = atof(argv[1]), start = now(), elapsed;
	long opens = 0;
	do {
		for (int i = 0; i < 256; i++) {
			int fd = open(argv[2], O_RDONLY);
			if (fd < 0) {
				perror(argv[2]);
				return 1;
			}
			close(fd);
		}
		opens += 256;
		elapsed = now() - start;
	} while (elapsed < seconds);
	printf("%ld %.0f\n", opens, opens / elapsed);
	return 0;
}
