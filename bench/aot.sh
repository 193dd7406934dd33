#!/usr/bin/env bash
# NativeAOT against trimmed single file, side by side in one run, with libbpf-tools opensnoop as the peer:
# tarball size, `tracer --version` start time and memory, and the share of an open/close generator's solo rate
# kept while traced (events lost too).
# Usage (as root): bench/aot.sh [RUNS] [SECONDS] [extra build parameters, e.g. --vmlinux-mirror ../shared/vmlinux-mirror]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=${1:-5}
seconds=${2:-3}
shift $(($# < 2 ? $# : 2))
[ "$(id -u)" = 0 ] || { echo "bench/aot.sh: run as root (it loads BPF programs and installs packages)" >&2; exit 1; }

install_missing gcc libbpf-tools time
work=$(mktemp -d)
trap remove_scratch EXIT
mount_tracefs

# Both kinds from the build itself: its tarball, and the tarball's tracer with its lib/.
version=0.0.0-aot-bench
for kind in aot singlefile; do
    ./build.sh --target Package --arch x64 --version "$version" --executable "$kind" "$@" > "$work/build-$kind.log" \
        || { cat "$work/build-$kind.log" >&2; exit 1; }
    cp "artifacts/tracer-$version-linux-x64.tar.gz" "$work/$kind.tar.gz"
    mkdir "$work/$kind"
    tar xzf "$work/$kind.tar.gz" -C "$work/$kind" --strip-components=1
done

gcc -O2 -o "$work/opengen" bench/opengen.c
target="$work/target"
echo hello > "$target"

wait_loaded() {
    for _ in $(seq 300); do
        if grep -qs '^prog_id' /proc/"$1"/fdinfo/*; then sleep 1; return 0; fi
        sleep 0.1
    done
    kill "$1"; echo "bench/aot.sh: process $1 loaded no BPF program within 30 s" >&2; exit 1
}
# The process GNU time started (it forks its command).
child() { for _ in $(seq 100); do pgrep -P "$1" && return 0; sleep 0.05; done; echo "bench/aot.sh: $1 started nothing" >&2; exit 1; }
opensnoop_run() {
    /usr/bin/time -f %M /usr/sbin/opensnoop -n opengen >"$work/out" 2>"$work/err" &
    local pid=$!
    wait_loaded "$(child "$pid")"
    local rate; rate=$(generate)
    pkill -INT -P "$pid" || true
    wait "$pid" || true
    echo "$rate $(grep -c opengen "$work/out") $(grep -io 'lost [0-9]*' "$work/err" | awk '{s+=$2} END {print s+0}') $(tail -1 "$work/err")"
}

modes="solo aot singlefile opensnoop"
for run in $(seq "$runs"); do
    for mode in $modes; do
        case $mode in
            solo) result="$(generate) - - -" ;;
            aot | singlefile) result=$(tracer_rate "$mode") ;;
            opensnoop) result=$(opensnoop_run) ;;
        esac
        echo "$run $mode $result" | tee -a "$work/results"
    done
done

solo_rate=$(awk '$2=="solo" {print $3}' "$work/results" | median)
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $runs runs of $seconds s each; generator alone: $solo_rate opens/s (median)."
echo
echo "| | tarball bytes | \`--version\` ms (median of 21) | \`--version\` peak RSS KB | traced: share of solo rate | lost (median) | peak RSS KB while tracing |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for mode in aot singlefile opensnoop; do
    rate=$(awk -v m="$mode" '$2==m {print $3}' "$work/results" | median)
    share=$(awk -v r="$rate" -v s="$solo_rate" 'BEGIN {printf "%.0f%%", 100*r/s}')
    lost=$(awk -v m="$mode" '$2==m {print $5}' "$work/results" | median)
    rss=$(awk -v m="$mode" '$2==m {print $6}' "$work/results" | median)
    if [ "$mode" = opensnoop ]; then
        echo "| opensnoop (libbpf-tools) | - | - | - | $share | $lost | $rss |"
    else
        echo "| tracer, $mode | $(stat -c %s "$work/$mode.tar.gz") | $(start_ms "$work/$mode/tracer") | $(version_rss "$work/$mode/tracer") | $share | $lost | $rss |"
    fi
done
echo
echo "The timing's own cost: \`/bin/true --version\` timed the same way, $(start_ms /bin/true) ms (median of 21)."
