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

# wait_for PID FILE PATTERN: until the tracer says it is attached (at most 60 s: with every event it loads dozens of
# programs); else stop it and fail.
# shellcheck disable=SC2317 # called by the scripts that source this file
wait_for() {
    for _ in $(seq 600); do grep -q "$3" "$2" 2>/dev/null && return 0; sleep 0.1; done
    kill "$1"
    echo "$0: timed out waiting for '$3' in $2" >&2; cat "$2" >&2; exit 1
}

# wait_loaded PID: until the tool holds a loaded BPF program, plus a second to attach; else stop it and fail
# (the C tools' stdout goes to a file, fully buffered, so they announce nothing in time).
# shellcheck disable=SC2317 # called by the scripts that source this file
wait_loaded() {
    for _ in $(seq 300); do
        if grep -qs '^prog_id' /proc/"$1"/fdinfo/*; then sleep 1; return 0; fi
        sleep 0.1
    done
    kill "$1"
    echo "$0: process $1 loaded no BPF program within 30 s" >&2; exit 1
}

# Removes what a bench made: the git worktrees under $work, $work itself, tracefs if mount_tracefs mounted it.
# shellcheck disable=SC2154 # $work is the caller's
remove_scratch() {
    git worktree list --porcelain | sed -n "s|^worktree \($work/.*\)|\1|p" | xargs -r -n1 git worktree remove --force
    rm -rf "$work"
    if [ -n "$tracefs_mounted" ]; then umount /sys/kernel/tracing; fi
}

# checkout REV NAME: prints the folder holding REV: this checkout for ".", else a scratch worktree $work/tree-NAME.
checkout() {
    if [ "$1" = . ]; then echo .; return; fi
    git worktree add -q --detach "$work/tree-$2" "$1"
    echo "$work/tree-$2"
}

# The tracer measured against an open/close generator (bench/aot.sh, bench/link-ab.sh). They read $work (the scratch
# folder, with opengen built into it), $seconds (one generator run) and $target (the file it opens).

# Start time (ms, median of 21) and peak memory (KB) of `tracer --version`.
start_ms() {
    for _ in $(seq 21); do
        local t; t=$(now); "$1" --version > /dev/null; elapsed "$t"
    done | median | awk '{printf "%.1f", $1 * 1000}'
}
version_rss() { /usr/bin/time -f %M "$1" --version 2>&1 >/dev/null | tail -1; }

wait_for() {
    for _ in $(seq 300); do grep -q "$3" "$2" 2>/dev/null && return 0; sleep 0.1; done
    kill "$1"; echo "bench: timed out waiting for '$3' in $2" >&2; cat "$2" >&2; exit 1
}
# shellcheck disable=SC2154 # $work, $seconds and $target are the caller's
generate() { "$work/opengen" "$seconds" "$target" | cut -d' ' -f2; }

# "rate events lost peak-KB": the tracer under GNU time, whose last stderr line is its peak RSS.
tracer_rate() {
    # Emptied here: the job's own redirection may come after wait_for's first look, which would then find the previous
    # run's "tracing" and start the generator before this tracer has attached (its first 0.05 to 0.5 s went unseen).
    : >"$work/err"
    /usr/bin/time -f %M "$work/$1/tracer" monitor --events open --comm opengen >"$work/out" 2>"$work/err" &
    local pid=$!
    wait_for "$pid" "$work/err" "tracing"
    local rate; rate=$(generate)
    # Background jobs of a script ignore SIGINT, which .NET keeps; SIGTERM is the same clean exit. time passes it on.
    pkill -TERM -P "$pid" || true
    wait "$pid" || true
    echo "$rate $(sed -n 's/^tracer: \([0-9]*\) events received, \([0-9]*\) lost$/\1 \2/p' "$work/err") $(tail -1 "$work/err")"
}
