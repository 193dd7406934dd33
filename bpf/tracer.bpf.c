// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The definitions every capability's source (exec.bpf.c, file.bpf.c, net.bpf.c, ...) declares extern in
 * common.bpf.h: the settings, the ring buffer, the lost count. */
#define TRACER_DEFINES_MAPS
#include "common.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Prefixed: a kernel BTF may typedef a plain name such as "config" (6.18 does). */
const volatile struct tracer_config tracer_settings = {};

/* Keeps tracer.h's types in the object's BTF, from which the build generates their C# (src/Tracer/Events.g.cs): a
 * type used only through pointer casts and locals may be left out of it. An unused pointer costs 8 bytes of .bss;
 * tracer_config is kept by tracer_settings and enum event_type by the header's type field. */
struct {
	struct event_header header;
	struct totals_header totals;
	struct exec_event exec;
	struct open_event open;
	struct connect_event connect;
	struct module_event module;
	struct tcp_close_event tcp_close;
	struct unlink_event unlink;
	struct file_io_event file_io;
	struct udp_event udp;
	struct udp_key udp_key;
	struct udp_close_event udp_close;
	struct dns_event dns;
} *event_types __attribute__((unused));
