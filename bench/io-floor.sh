#!/usr/bin/env bash
# How much of the 4 KiB read/write generator's rate any program on the tracer's hooks can keep on this kernel: the
# generator solo, with an empty BPF program (bpftrace, `{ }`) on sys_exit_read and sys_exit_write plus sys_enter_close
# (the syscall tracepoints the tracer's file_io uses: enabling any syscall tracepoint sends every syscall through the
# traced path), and with the tracer counting file_io; interleaved, the order rotating each round.
# Usage (as root): bench/io-floor.sh [ROUNDS] [SECONDS]   (defaults 7 and 3); TRACER as for bench/hotpaths.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
rounds=${1:-7}
seconds=${2:-3}
tracer=$(realpath "${TRACER:-artifacts/publish/linux-x64/tracer}")
[ "$(id -u)" = 0 ] || { echo "bench/io-floor.sh: run as root" >&2; exit 1; }
install_missing gcc bpftrace
work=$(mktemp -d)
trap remove_scratch EXIT
mount_tracefs
gcc -O2 -Wall -o "$work/hotgen" bench/hotgen.c

generate() { "$work/hotgen" "$seconds" io "$work/data" | cut -d' ' -f2; }

run() { # HOW: prints the generator's rate
    local pid
    case $1 in
    solo) generate ;;
    empty)
        bpftrace -e 'tracepoint:syscalls:sys_exit_read,tracepoint:syscalls:sys_exit_write,tracepoint:syscalls:sys_enter_close { }' >"$work/out" 2>&1 &
        pid=$!
        wait_loaded "$pid"
        generate
        kill -INT "$pid"; wait "$pid" || true ;;
    tracer)
        : >"$work/err"
        "$tracer" monitor --events file_io --comm hotgen >"$work/out" 2>"$work/err" &
        pid=$!
        wait_for "$pid" "$work/err" "tracing"
        generate
        kill -TERM "$pid"; wait "$pid" || true ;;
    esac
}

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1 /proc/loadavg); $rounds rounds of $seconds s, order rotating"
hows=(solo empty tracer)
for r in $(seq "$rounds"); do
    for i in 0 1 2; do
        how=${hows[$(((i + r) % 3))]}
        rate=$(run "$how")
        echo "round $r $how: $rate"
        echo "$rate" >>"$work/$how"
    done
done
s=$(median <"$work/solo"); e=$(median <"$work/empty"); t=$(median <"$work/tracer")
echo
echo "| generator solo /s | empty program /s | kept | tracer /s | kept | tracer / empty |"
echo "|---|---|---|---|---|---|"
awk -v s="$s" -v e="$e" -v t="$t" 'BEGIN { printf "| %.0f | %.0f | %.0f%% | %.0f | %.0f%% | %.2f |\n", s, e, 100 * e / s, t, 100 * t / s, t / e }'
