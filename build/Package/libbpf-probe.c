/* Loads the given libz, libelf and libbpf (in that order, as the tracer does) and prints libbpf's version.
 * Built for a target arch and run under qemu-user, it proves a tarball's lib/ is loadable on that arch. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *libbpf = NULL;
	const char *(*version)(void);

	if (argc != 4) {
		fprintf(stderr, "usage: %s LIBZ LIBELF LIBBPF\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		libbpf = dlopen(argv[i], RTLD_NOW | RTLD_GLOBAL);
		if (!libbpf) {
			fprintf(stderr, "cannot load %s: %s\n", argv[i], dlerror());
			return 1;
		}
	}
	version = (const char *(*)(void))dlsym(libbpf, "libbpf_version_string");
	if (!version) {
		fprintf(stderr, "%s has no libbpf_version_string: %s\n", argv[3], dlerror());
		return 1;
	}
	printf("libbpf %s\n", version());
	return 0;
}
