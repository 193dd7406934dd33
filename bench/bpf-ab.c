/* Interleaved A/B of two builds of the tracer's BPF object: what each costs a process that opens and closes one file
 * as fast as it can. The machine this project is measured on changes speed by itself every few seconds, which
 * swamps 1% effects in runs of one variant after another. So both objects are loaded with the tracer's settings for
 * `--events open --comm <the generator>`, and the open programs of A and of B are attached in turn, a short phase
 * each (ABBA order), while one generator runs throughout: both sides see the same machine states.
 *
 * Usage: bpf-ab OBJECT_A OBJECT_B SECONDS PHASE_MS FILE
 * The generator runs on CPU 1 and this process, which consumes both rings with a callback that does nothing, on
 * CPU 0. Prints the generator's rate under each, B/A over the whole run and the median of the per-block B/A. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/types.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include "../bpf/tracer.h"

#define GENERATOR_COMM "bpfab-gen"

/* The open programs, as the tracer attaches them where the kernel has the syscall tracepoints (5.15+). */
static const char *const open_programs[] = { "handle_openat_exit", "handle_openat2_exit", "handle_open_exit" };

struct variant {
	const char *path;
	struct bpf_object *object;
	struct ring_buffer *ring;
	struct bpf_link *links[3];
	long events;
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("bpf-ab: sched_setaffinity");
		exit(1);
	}
}

static int count_event(void *context, void *data, size_t size)
{
	((struct variant *)context)->events++;
	return 0;
}

static void load(struct variant *v)
{
	v->object = bpf_object__open(v->path);
	if (!v->object) {
		fprintf(stderr, "bpf-ab: cannot open %s\n", v->path);
		exit(1);
	}
	struct bpf_map *rodata = bpf_object__find_map_by_name(v->object, ".rodata");
	size_t size;
	struct tracer_config *settings = rodata ? (struct tracer_config *)bpf_map__initial_value(rodata, &size) : NULL;
	if (!settings || size < sizeof(*settings)) {
		fprintf(stderr, "bpf-ab: %s has no tracer settings of this checkout's layout\n", v->path);
		exit(1);
	}
	settings->events = 1 << EVENT_OPEN;
	settings->self_pid = getpid();
	settings->open_tracepoints = 1;
	strcpy(settings->comm, GENERATOR_COMM);
	struct bpf_program *program;
	bpf_object__for_each_program(program, v->object) {
		bool open = false;
		for (int i = 0; i < 3; i++)
			open |= !strcmp(bpf_program__name(program), open_programs[i]);
		bpf_program__set_autoload(program, open);
	}
	if (bpf_object__load(v->object)) {
		fprintf(stderr, "bpf-ab: cannot load %s\n", v->path);
		exit(1);
	}
	v->ring = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(v->object, "events")), count_event, v, NULL);
	if (!v->ring) {
		fprintf(stderr, "bpf-ab: cannot read the ring buffer of %s\n", v->path);
		exit(1);
	}
}

static void attach(struct variant *v)
{
	for (int i = 0; i < 3; i++) {
		struct bpf_program *program = bpf_object__find_program_by_name(v->object, open_programs[i]);
		v->links[i] = program ? bpf_program__attach(program) : NULL;
		if (program && !v->links[i]) {
			fprintf(stderr, "bpf-ab: cannot attach %s of %s (is tracefs mounted?)\n", open_programs[i], v->path);
			exit(1);
		}
	}
}

static void detach(struct variant *v)
{
	for (int i = 0; i < 3; i++)
		bpf_link__destroy(v->links[i]);
}

static long lost(struct variant *v)
{
	__u32 key = 0;
	__u64 value = 0;
	bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(v->object, "lost")), &key, &value);
	return value;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s OBJECT_A OBJECT_B SECONDS PHASE_MS FILE\n", argv[0]);
		return 2;
	}
	double seconds = atof(argv[3]), phase = atof(argv[4]) / 1000;
	int blocks = seconds / phase / 2;
	if (!(phase > 0) || blocks < 1) {
		fprintf(stderr, "bpf-ab: SECONDS must hold at least two phases of PHASE_MS\n");
		return 2;
	}
	volatile long *opens = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t generator = fork();
	if (generator < 0) {
		perror("bpf-ab: fork");
		return 1;
	}
	if (generator == 0) {
		pin(1);
		prctl(PR_SET_NAME, GENERATOR_COMM);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			int fd = open(argv[5], O_RDONLY);
			if (fd < 0) {
				perror(argv[5]);
				_exit(1);
			}
			close(fd);
			*opens += 1;
		}
	}
	pin(0);
	struct variant variants[2] = { { .path = argv[1] }, { .path = argv[2] } };
	for (int i = 0; i < 2; i++)
		load(&variants[i]);

	double *ratios = calloc(blocks, sizeof(double)), time[2] = { 0 }, count[2] = { 0 };
	for (int b = 0; b < blocks; b++) {
		double rate[2];
		for (int k = 0; k < 2; k++) {
			int which = (b & 1) ? 1 - k : k;
			struct variant *v = &variants[which];
			attach(v);
			usleep(5000); /* past the attach's own disturbance (text patching, other CPUs interrupted) */
			long start_count = *opens;
			double start = now(), end = start + phase, left;
			while ((left = end - now()) > 0) {
				usleep(left > 0.01 ? 10000 : left * 1e6);
				ring_buffer__consume(v->ring);
			}
			double elapsed = now() - start;
			long counted = *opens - start_count;
			detach(v);
			ring_buffer__consume(v->ring);
			time[which] += elapsed;
			count[which] += counted;
			rate[which] = counted / elapsed;
		}
		ratios[b] = rate[1] / rate[0];
	}
	kill(generator, SIGKILL);
	qsort(ratios, blocks, sizeof(double), by_value);
	double a = count[0] / time[0], b = count[1] / time[1];
	printf("A %.0f opens/s, B %.0f opens/s: B/A %.4f, median of %d blocks %.4f; events A %ld B %ld, lost A %ld B %ld\n", a, b,
	       b / a, blocks, ratios[blocks / 2], variants[0].events, variants[1].events, lost(&variants[0]), lost(&variants[1]));
	return 0;
}
