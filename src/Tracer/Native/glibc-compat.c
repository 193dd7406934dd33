/*
 * glibc 2.29 gave log, pow, exp, exp2 and log2 new symbol versions (the same results, without the old SVID error
 * handling). Linked against a newer glibc, every caller would need glibc 2.29. The tracer calls log and pow (the .NET
 * runtime's GC, Math.Pow); these wrappers bind them to the versions every glibc since the arch's first release has, so
 * the tracer keeps glibc 2.28 as its floor. The link passes -Wl,--wrap=log,--wrap=pow so that calls land here. A call
 * to one of the other three would show as GLIBC_2.29 in Package's floor check: wrap it the same way.
 */
#if defined(__x86_64__)
#define GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define GLIBC_BASE "GLIBC_2.17"
#else
#error "an arch the tracer does not ship for"
#endif

double compat_log(double x);
double compat_pow(double x, double y);
__asm__(".symver compat_log, log@" GLIBC_BASE);
__asm__(".symver compat_pow, pow@" GLIBC_BASE);

double __wrap_log(double x) { return compat_log(x); }
double __wrap_pow(double x, double y) { return compat_pow(x, y); }
