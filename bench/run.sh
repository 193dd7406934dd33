#!/usr/bin/env bash
# Open/close benchmark: the generator alone, under the tracer, under libbpf-tools opensnoop and under bpftrace.
# Usage (as root): bench/run.sh [RUNS] [SECONDS]   (defaults 5 and 3)
# The tracer is artifacts/publish/linux-x64/tracer (./build.sh --target Publish --arch x64) unless TRACER is set.
# Prints one line per run and a Markdown table of medians for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=${1:-5}
seconds=${2:-3}
tracer=$(realpath "${TRACER:-artifacts/publish/linux-x64/tracer}")
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (it loads BPF programs and installs packages)" >&2; exit 1; }
[ -x "$tracer" ] || { echo "bench/run.sh: no tracer at $tracer: run ./build.sh --target Publish --arch x64 first" >&2; exit 1; }

install_missing gcc libbpf-tools bpftrace
work=$(mktemp -d)
cleanup() { rm -rf "$work"; if [ -n "$tracefs_mounted" ]; then umount /sys/kernel/tracing; fi; }
trap cleanup EXIT
mount_tracefs
gcc -O2 -o "$work/opengen" bench/opengen.c
target="$work/target"
echo hello > "$target"


generate() { "$work/opengen" "$seconds" "$target" | cut -d' ' -f2; }

# stop SIGNAL PID: then wait for the tool to drain and exit. Background jobs of a script ignore SIGINT,
# which .NET keeps ignoring, so the tracer gets SIGTERM (its clean exit is the same); the C tools reinstall SIGINT.
stop() { kill -"$1" "$2"; wait "$2" || true; }

solo() { echo "$(generate) -"; }

tracer_run() {
    # Emptied here: the job's own redirection may come after wait_for's first look, which would then find the previous
    # run's "tracing" and start the generator before this tracer has attached (its first 0.05 to 0.5 s went unseen).
    : >"$work/err"
    "$tracer" monitor --events open --comm opengen >"$work/out" 2>"$work/err" &
    local pid=$!
    wait_for "$pid" "$work/err" "tracing"
    local rate; rate=$(generate)
    stop TERM "$pid"
    # "tracer: N events received, M lost"
    echo "$rate $(sed -n 's/^tracer: \([0-9]*\) events received, \([0-9]*\) lost$/\1 \2/p' "$work/err")"
}

opensnoop_run() {
    /usr/sbin/opensnoop -n opengen >"$work/out" 2>"$work/err" &
    local pid=$!
    wait_loaded "$pid"
    local rate; rate=$(generate)
    stop INT "$pid"
    echo "$rate $(grep -c opengen "$work/out") $(grep -io 'lost [0-9]*' "$work/err" | awk '{s+=$2} END {print s+0}')"
}

bpftrace_run() {
    bpftrace -e 'tracepoint:syscalls:sys_exit_openat /comm == "opengen"/ { printf("%d %d\n", pid, args->ret); }' >"$work/out" 2>"$work/err" &
    local pid=$!
    wait_loaded "$pid"
    local rate; rate=$(generate)
    stop INT "$pid"
    echo "$rate $(grep -c '^[0-9]' "$work/out") $(grep -hio 'lost [0-9]*' "$work/out" "$work/err" | awk '{s+=$2} END {print s+0}')"
}


modes="solo tracer opensnoop bpftrace"
for _ in $(seq "$runs"); do
    for mode in $modes; do
        case $mode in
            solo) result=$(solo) ;;
            tracer) result=$(tracer_run) ;;
            opensnoop) result=$(opensnoop_run) ;;
            bpftrace) result=$(bpftrace_run) ;;
        esac
        echo "$mode $result" | tee -a "$work/results"
    done
done

solo_rate=$(awk '$1=="solo" {print $2}' "$work/results" | median)
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $runs runs of $seconds s each."
echo
echo "| run | generator opens/s (median) | vs alone | events seen/s (median) | lost (median) |"
echo "|---|---|---|---|---|"
for mode in $modes; do
    rate=$(awk -v m="$mode" '$1==m {print $2}' "$work/results" | median)
    ratio=$(awk -v r="$rate" -v s="$solo_rate" 'BEGIN {printf "%.0f%%", 100*r/s}')
    if [ "$mode" = solo ]; then
        echo "| generator alone | $rate | 100% | - | - |"
    else
        seen=$(awk -v m="$mode" -v t="$seconds" '$1==m {printf "%.0f\n", $3/t}' "$work/results" | median)
        lost=$(awk -v m="$mode" '$1==m {print $4}' "$work/results" | median)
        echo "| $mode | $rate | $ratio | $seen | $lost |"
    fi
done
