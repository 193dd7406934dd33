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
ip link set lo up
mkdir -p /etc/vmtest
echo hello > /etc/vmtest/hello
# Longer than the BPF side writes in place (SHORT_PATH_LEN): its open takes the copying route.
long=/etc/vmtest/a-path-longer-than-an-open-record-holds-in-place/copied-at-its-own-length
mkdir -p "${long%/*}"
echo hello > "$long"

set -- /opt/tracer-*/tracer
tracer=$1
echo "@@vmtest kernel $(uname -r) $(uname -m)"
echo "@@vmtest begin version"
"$tracer" --version
echo "@@vmtest end version $?"
echo "@@vmtest begin doctor"
"$tracer" doctor
echo "@@vmtest end doctor $?"

# trigger NAME COMMAND...: runs COMMAND in the background, announces its pid, waits for it.
trigger() {
	local trigger=$1
	shift
	"$@" &
	echo "@@vmtest pid $trigger $!"
	wait $!
	echo "@@vmtest exit $trigger $?"
}

# round NAME BASEPORT [CONNECT_PATH OPEN_PATH]: one monitor run with every trigger; the paths, when given, are forced.
round() {
	local name=$1 port=$2 family address listener monitor line
	if [ -n "$3" ]; then export TRACER_CONNECT_HOOK="$3"; else unset TRACER_CONNECT_HOOK; fi
	if [ -n "$4" ]; then export TRACER_OPEN_HOOK="$4"; else unset TRACER_OPEN_HOOK; fi
	rm -f /tmp/ready
	mkfifo /tmp/ready
	"$tracer" monitor > "/tmp/events-$name.json" 2> /tmp/ready &
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
	for family in 4 6; do
		if [ $family = 4 ]; then address=127.0.0.1; else address=::1; fi
		/usr/bin/nc -l -p "$port" > /dev/null &
		listener=$!
		echo "@@vmtest pid $name:listen$family:$port $listener"
		trigger "$name:sleep$family" /bin/sleep 1
		trigger "$name:connect$family:$address:$port" /usr/bin/nc "$address" "$port"
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

round default 8080
round tracepoint 8090 tracepoint sys_exit
echo "@@vmtest done"
poweroff -f
