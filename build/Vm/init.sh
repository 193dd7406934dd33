#!/bin/busybox sh
# /init of the VmTest initramfs (build/Vm): runs the packaged tracer on this kernel, triggers known execs, opens and
# connects while `tracer monitor` runs, prints everything on the console between "@@vmtest" markers, powers off.
# The host (VmScenario.cs) knows what each trigger must produce and checks every event; so every process started
# while the monitor runs is announced with its pid, and started by full path (busybox applets called by name run
# as /proc/self/exe). Redirections open files in the child before its exec: they are expected events too.
/bin/busybox mkdir -p /proc /sys /dev /tmp /root /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || mount -t debugfs debugfs /sys/kernel/debug
# tmpfs keeps the extended attributes setcap writes.
mount -t tmpfs tmpfs /tmp
ip link set lo up
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' > /etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' > /etc/group
mkdir -p /etc/vmtest
echo hello > /etc/vmtest/hello
# What a client sends and its server answers: the flows' byte counts at close.
head -c 1000 /dev/zero | tr '\0' q > /etc/vmtest/request
head -c 500 /dev/zero | tr '\0' r > /etc/vmtest/reply
# Longer than the BPF side writes in place (SHORT_PATH_LEN): its open takes the copying route.
long=/etc/vmtest/a-path-longer-than-an-open-record-holds-in-place/copied-at-its-own-length
mkdir -p "${long%/*}"
echo hello > "$long"

# The events the monitor rounds trace, all of which VmScenario.cs checks.
events=exec,open,unlink,file_io,connect,accept,tcp_close,udp,dns,module
# Made before any monitor runs (a command substitution is a process of its own): an argv longer than an exec event
# keeps, and a 70 kB environment variable.
numbers=$(seq 1 3000)
big=$(head -c 70000 /dev/zero | tr '\0' x)
# The kernel package's test module, uncompressed: busybox insmod hands the kernel the file as it is.
for module in /opt/modules/dummy.ko*; do
	case "$module" in
	*.xz) xz -dc "$module" > /tmp/dummy.ko ;;
	*) cp "$module" /tmp/dummy.ko ;;
	esac
done

set -- /opt/tracer-*/tracer
tracer=$1
echo "@@vmtest kernel $(uname -r) $(uname -m)"
# The C library of this release's userland prints its own version when run.
for libc in /lib/*-linux-gnu/libc.so.6; do echo "@@vmtest glibc $("$libc" | head -n 1)"; done
echo "@@vmtest begin version"
"$tracer" --version
echo "@@vmtest end version $?"
echo "@@vmtest begin doctor"
"$tracer" doctor
echo "@@vmtest end doctor $?"

# trigger NAME COMMAND...: runs COMMAND in the background (its stdin then /dev/null, or $input where set: the shell
# opens both), announces its pid, waits for it.
trigger() {
	local trigger=$1
	shift
	if [ -n "$input" ]; then "$@" < "$input" & else "$@" & fi
	echo "@@vmtest pid $trigger $!"
	wait $!
	echo "@@vmtest exit $trigger $?"
}

# as_nobody COMMAND...: runs COMMAND (words without spaces) as uid and gid 65534 with the kernel's default limits.
as_nobody() {
	# One string: busybox su would take options among trailing arguments (--duration) for its own.
	su -s /bin/sh nobody -c "exec $*"
}

# copy_tracer FOLDER [CAPABILITIES]: a copy of the tarball's folder (a JIT tracer's lib/ too) nobody may run, with
# file capabilities on the tracer when given.
copy_tracer() {
	mkdir -p "$1"
	cp -r "${tracer%/*}/." "$1/"
	chmod -R go+rX "$1"
	if [ -n "$2" ]; then setcap "$2" "$1/tracer"; fi
}

# round NAME BASEPORT [CONNECT_HOOK SYSCALL_HOOK [USER]]: one monitor run with every trigger; the hooks, when given, are
# forced (SYSCALL_HOOK for every capability caught at syscall exit); the monitor runs as nobody with the capabilities USER-README.md documents when USER is nobody.
round() {
	local name=$1 port=$2 family address listener server udp monitor line
	if [ -n "$3" ]; then export TRACER_CONNECT_HOOK="$3"; else unset TRACER_CONNECT_HOOK; fi
	# The capabilities caught at syscall exit, each by its syscalls' own tracepoints or by sys_exit.
	for variable in TRACER_FILE_HOOK TRACER_EXEC_HOOK TRACER_MODULE_HOOK TRACER_SOCKET_HOOK; do
		if [ -n "$4" ]; then export "$variable=$4"; else unset "$variable"; fi
	done
	rm -f /tmp/ready
	mkfifo /tmp/ready
	# Totals only at close and exit (a slow VM's round outlasts the default 10 s interval): each is checked once.
	mkdir /tmp/dir-$name
	if [ "$5" = nobody ]; then
		copy_tracer /tmp/nonroot cap_bpf,cap_perfmon,cap_sys_resource=ep
		# A simple command, not as_nobody: a function in the background runs in a subshell, whose pid $! would be.
		su -s /bin/sh nobody -c "exec /tmp/nonroot/tracer monitor --env --interval 3600 --events $events" > "/tmp/events-$name.json" 2> /tmp/ready &
	else
		"$tracer" monitor --env --interval 3600 --events "$events" > "/tmp/events-$name.json" 2> /tmp/ready &
	fi
	monitor=$!
	echo "@@vmtest pid monitor-$name $monitor"
	exec 3< /tmp/ready
	# The monitor says "tracing" once its programs are attached: only then do the triggers start.
	while read -r line <&3; do
		echo "@@vmtest stderr $name $line"
		case "$line" in "tracer: tracing"*) break ;; esac
	done

	trigger "$name:cat" /bin/cat /etc/vmtest/hello
	trigger "$name:cat-missing" /bin/cat /etc/vmtest/missing
	trigger "$name:cat-long" /bin/cat "$long"
	# shellcheck disable=SC2086 # one argument per number
	trigger "$name:exec-big" /usr/bin/env -i "BIG=$big" /bin/true $numbers
	trigger "$name:exec-secret" /usr/bin/env -i API_TOKEN=hunter2 /bin/true --password=hunter2 --api-token hunter2
	trigger "$name:exec-missing" /opt/missing-program
	trigger "$name:write" /bin/dd if=/dev/zero of=/tmp/data bs=4096 count=8
	trigger "$name:read" /bin/dd if=/tmp/data of=/dev/null bs=4096
	trigger "$name:rm" /bin/rm /tmp/data
	trigger "$name:rmdir" /bin/rmdir /tmp/dir-$name
	# A server on port 53 (udppeer's, as busybox has none): nslookup asks for A and AAAA and gets known answers.
	/opt/udppeer dns 53 &
	server=$!
	echo "@@vmtest pid $name:dnsd $server"
	trigger "$name:udpsleep-dns" /bin/sleep 1
	trigger "$name:nslookup" /usr/bin/nslookup example.com 127.0.0.1
	wait $server
	echo "@@vmtest exit $name:dnsd $?"
	# A UDP exchange both ways: two datagrams of 100 and 300 bytes, each answered in kind, over IPv4 and IPv6.
	udp=$(($2 + 5))
	for family in 4 6; do
		if [ $family = 4 ]; then address=127.0.0.1; else address=::1; fi
		/opt/udppeer serve "$address" "$udp" 2 &
		server=$!
		echo "@@vmtest pid $name:udpserve$family:$address:$udp $server"
		trigger "$name:udpsleep$family" /bin/sleep 1
		trigger "$name:udpsend$family:$address:$udp" /opt/udppeer send "$address" "$udp" 100 300
		wait $server
		echo "@@vmtest exit $name:udpserve$family:$address:$udp $?"
		udp=$((udp + 1))
	done
	trigger "$name:insmod" /sbin/insmod /tmp/dummy.ko
	trigger "$name:rmmod" /sbin/rmmod dummy
	for family in 4 6; do
		if [ $family = 4 ]; then address=127.0.0.1; else address=::1; fi
		/usr/bin/nc -l -p "$port" < /etc/vmtest/reply > /dev/null &
		listener=$!
		echo "@@vmtest pid $name:listen$family:$port $listener"
		trigger "$name:sleep$family" /bin/sleep 1
		input=/etc/vmtest/request
		trigger "$name:connect$family:$address:$port" /usr/bin/nc "$address" "$port"
		unset input
		wait $listener
		echo "@@vmtest exit $name:listen$family:$port $?"
		port=$((port + 1))
		trigger "$name:refused$family:$address:$port" /usr/bin/nc "$address" "$port"
		port=$((port + 1))
	done
	echo "@@vmtest begin doctor-$name"
	"$tracer" doctor &
	echo "@@vmtest pid $name:doctor $!"
	wait $!
	echo "@@vmtest end doctor-$name $?"

	kill -TERM $monitor
	wait $monitor
	echo "@@vmtest exit monitor-$name $?"
	while read -r line <&3; do
		echo "@@vmtest stderr $name $line"
	done
	exec 3<&-
	echo "@@vmtest begin events-$name"
	cat "/tmp/events-$name.json"
	echo "@@vmtest end events-$name"
}

# section NAME COMMAND...: COMMAND's output (stderr too) between markers, with its exit code.
section() {
	local name=$1
	shift
	echo "@@vmtest begin $name"
	"$@" 2>&1
	echo "@@vmtest end $name $?"
}

round default 8080
round tracepoint 8090 tracepoint sys_exit
round nonroot 8100 "" "" nobody
# A kernel without BTF, as far as the tracer can tell: an empty file over /sys/kernel/btf/vmlinux. The tracer then runs
# on the BTF it carries for this kernel, with the programs that need none.
: > /tmp/no-btf
mount --bind /tmp/no-btf /sys/kernel/btf/vmlinux
round nobtf 8110
# And a kernel it carries no BTF for: one line and exit 4.
echo 5.4.0-vmtest > /tmp/osrelease
mount --bind /tmp/osrelease /proc/sys/kernel/osrelease
section nobtf-unknown "$tracer" monitor --duration 1
umount /proc/sys/kernel/osrelease
umount /sys/kernel/btf/vmlinux

# Not root: what doctor sees with the documented capabilities; without any, the one line and exit 3; with only
# CAP_BPF and CAP_PERFMON, events on 5.11 and later, and the locked-memory line and exit 3 before.
section nonroot-doctor as_nobody /tmp/nonroot/tracer doctor
copy_tracer /tmp/nocaps
section nocaps as_nobody /tmp/nocaps/tracer monitor --duration 1
copy_tracer /tmp/twocaps cap_bpf,cap_perfmon=ep
section twocaps as_nobody /tmp/twocaps/tracer monitor --duration 1 --events exec
echo "@@vmtest done"
poweroff -f
