#!/usr/bin/env bash
# The hot paths of the capture capabilities, each as the share of a workload's solo rate it keeps when traced, by the
# tracer and by a peer from Debian's packages (bpftrace on the same tracepoints), interleaved round by round.
# Usage (as root): bench/hotpaths.sh [ROUNDS] [SECONDS]   (defaults 5 and 3)
# The tracer is artifacts/publish/linux-x64/tracer (./build.sh --target Publish --arch x64) unless TRACER is set.
# Prints one line per run and a Markdown table of medians for docs/benchmarks.md. BPF_STATS=1 also turns on
# kernel.bpf_stats_enabled and adds to each traced run its busiest program's name and average run time in ns (what the
# program costs, apart from its hook's; the statistics cost both tools a little).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-5}
seconds=${2:-3}
tracer=$(realpath "${TRACER:-artifacts/publish/linux-x64/tracer}")
[ "$(id -u)" = 0 ] || { echo "bench/hotpaths.sh: run as root (it loads BPF programs and installs packages)" >&2; exit 1; }
[ -x "$tracer" ] || { echo "bench/hotpaths.sh: no tracer at $tracer: run ./build.sh --target Publish --arch x64 first" >&2; exit 1; }

install_missing gcc bpftrace bpftool python3
work=$(mktemp -d)
trap 'remove_scratch; if [ "${BPF_STATS:-}" = 1 ]; then sysctl -q kernel.bpf_stats_enabled=0; fi' EXIT
mount_tracefs
gcc -O2 -Wall -o "$work/hotgen" bench/hotgen.c

# Each workload: what the generator runs, the tracer's --events and --comm, and bpftrace's program doing the same
# work (counting in the kernel where the tracer does, one line per exec where it prints one).
declare -A args=([io]="io $work/data" [exec]=exec [udp]=udp)
declare -A events=([io]=file_io [exec]=exec [udp]=udp)
declare -A comm=([io]=hotgen [exec]=true [udp]=hotgen)
declare -A peer=(
    [io]='tracepoint:syscalls:sys_exit_read,tracepoint:syscalls:sys_exit_write /comm == "hotgen" && args->ret >= 0/ { @calls[pid, probe] = count(); @bytes[pid, probe] = sum(args->ret); }'
    [exec]='tracepoint:sched:sched_process_exec /comm == "true"/ { printf("%d %s\n", pid, str(args->filename)); }'
    [udp]='tracepoint:syscalls:sys_exit_sendto /comm == "hotgen" && args->ret >= 0/ { @datagrams[pid] = count(); @bytes[pid] = sum(args->ret); }'
)

# shellcheck disable=SC2086 # a workload's arguments, a word each
generate() { "$work/hotgen" "$seconds" ${args[$1]} | cut -d' ' -f2; }

# The busiest BPF program loaded now, and its average run time since it was loaded: "name ns".
busiest() {
    [ "${BPF_STATS:-}" = 1 ] || return 0
    bpftool prog show -j | python3 -c 'import json, sys
p = max(json.load(sys.stdin), key=lambda p: p.get("run_cnt", 0))
print(p["name"], round(p["run_time_ns"] / max(p.get("run_cnt", 0), 1)))'
}

run() { # WORKLOAD HOW: prints the rate (and, for the tracer, "received lost")
    local w=$1 how=$2 pid rate stats
    case $how in
    solo) generate "$w" ;;
    tracer)
        : >"$work/err"
        "$tracer" monitor --events "${events[$w]}" --comm "${comm[$w]}" >"$work/out" 2>"$work/err" &
        pid=$!
        wait_for "$pid" "$work/err" "tracing"
        rate=$(generate "$w")
        stats=$(busiest)
        kill -TERM "$pid"; wait "$pid" || true
        echo "$rate $(sed -n 's/^tracer: \([0-9]*\) events received, \([0-9]*\) lost$/\1 \2/p' "$work/err") $stats" ;;
    bpftrace)
        bpftrace -e "${peer[$w]}" >"$work/out" 2>"$work/err" &
        pid=$!
        wait_loaded "$pid"
        rate=$(generate "$w")
        stats=$(busiest)
        kill -INT "$pid"; wait "$pid" || true
        echo "$rate $stats" ;;
    esac
}

if [ "${BPF_STATS:-}" = 1 ]; then sysctl -q kernel.bpf_stats_enabled=1; fi
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1 /proc/loadavg); $rounds rounds of $seconds s, order rotating"
for w in io exec udp; do
    : >"$work/solo-$w"; : >"$work/tracer-$w"; : >"$work/bpftrace-$w"
done
for r in $(seq "$rounds"); do
    for w in io exec udp; do
        # The order rotates each round, so no one runs always first (warm caches) or last.
        hows=(solo tracer bpftrace)
        for i in 0 1 2; do
            how=${hows[$(((i + r) % 3))]}
            line=$(run "$w" "$how")
            echo "round $r $w $how: $line"
            echo "$line" | cut -d' ' -f1 >>"$work/$how-$w"
        done
    done
done
echo
echo "| workload | solo /s | tracer /s | kept | bpftrace /s | kept | tracer / bpftrace |"
echo "|---|---|---|---|---|---|---|"
for w in io exec udp; do
    s=$(median <"$work/solo-$w"); t=$(median <"$work/tracer-$w"); b=$(median <"$work/bpftrace-$w")
    awk -v w="$w" -v s="$s" -v t="$t" -v b="$b" 'BEGIN { printf "| %s | %.0f | %.0f | %.0f%% | %.0f | %.0f%% | %.2fx |\n", w, s, t, 100 * t / s, b, 100 * b / s, t / b }'
done
