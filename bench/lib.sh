# shellcheck shell=bash
# Helpers the bench scripts share; source it.

# The median of numbers, one per line on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

now() { date +%s.%N; }

# Seconds since a time taken with now.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { print b - a }'; }

# a / b as a ratio such as 1.25x.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

# Installs those of the named Debian packages that are not installed (the caller runs as root).
install_missing() {
    local missing
    missing=$(for p in "$@"; do dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || echo "$p"; done)
    [ -n "$missing" ] || return 0
    apt-get update -q
    # shellcheck disable=SC2086 # one package a word
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

# opensnoop and bpftrace attach to syscall tracepoints, which need tracefs (the tracer does not). Sets tracefs_mounted
# when it mounted it, for the caller's clean-up to unmount.
# shellcheck disable=SC2034 # read by the callers' clean-up
tracefs_mounted=
mount_tracefs() {
    if [ ! -d /sys/kernel/tracing/events ]; then
        mount -t tracefs nodev /sys/kernel/tracing
        # shellcheck disable=SC2034 # read by the callers' clean-up
        tracefs_mounted=yes
    fi
}
