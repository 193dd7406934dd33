#!/usr/bin/env bash
# Two revisions' NativeAOT x64 tarballs side by side, interleaved in one run (the order alternates each run): tarball
# size, `tracer --version` start time and memory, and the share of an open/close generator's solo rate each keeps
# while tracing it. Made for the static linking of libbpf, libelf and zlib (issue 26); any two revisions compare.
# Usage (as root): bench/link-ab.sh REV_A REV_B [RUNS] [SECONDS] [extra build parameters, e.g. --vmlinux-mirror DIR]
# A revision is anything git names, or "." for the working tree as it is; each is packaged by its own ./build.sh in a
# scratch worktree.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ $# -ge 2 ] || { echo "usage: bench/link-ab.sh REV_A REV_B [RUNS] [SECONDS] [build parameters]" >&2; exit 2; }
rev_a=$1 rev_b=$2 runs=5 seconds=3
shift 2
if [[ ${1:-} =~ ^[0-9]+$ ]]; then runs=$1; shift; fi
if [[ ${1:-} =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
[ "$(id -u)" = 0 ] || { echo "bench/link-ab.sh: run as root (it loads BPF programs and installs packages)" >&2; exit 1; }

install_missing gcc time
work=$(mktemp -d)
trap remove_scratch EXIT
mount_tracefs

# tarball REV NAME: packages REV's x64 tracer and unpacks it into $work/NAME.
tarball() {
    local dir version=0.0.0-link-ab
    dir=$(checkout "$1" "$2")
    (cd "$dir" && ./build.sh --target Package --arch x64 --version "$version" "${@:3}") > "$work/build-$2.log" 2>&1 \
        || { cat "$work/build-$2.log" >&2; exit 1; }
    cp "$dir/artifacts/tracer-$version-linux-x64.tar.gz" "$work/$2.tar.gz"
    mkdir "$work/$2"
    tar xzf "$work/$2.tar.gz" -C "$work/$2" --strip-components=1
}
tarball "$rev_a" a "$@"
tarball "$rev_b" b "$@"

gcc -O2 -o "$work/opengen" bench/opengen.c
target="$work/target"
echo hello > "$target"

for run in $(seq "$runs"); do
    if [ $((run % 2)) = 1 ]; then order="solo a b"; else order="solo b a"; fi
    for mode in $order; do
        if [ "$mode" = solo ]; then result="$(generate) - - -"; else result=$(tracer_rate "$mode"); fi
        echo "$run $mode $result" | tee -a "$work/results"
    done
done

describe() { if [ "$1" = . ]; then echo "the working tree on $(git rev-parse --short HEAD)"; else echo "$1 ($(git rev-parse --short "$1"))"; fi; }
solo_rate=$(awk '$2=="solo" {print $3}' "$work/results" | median)
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $runs runs of $seconds s each; generator alone: $solo_rate opens/s (median)."
echo
echo "| | revision | tarball bytes | \`--version\` ms (median of 21) | \`--version\` peak RSS KB | traced: share of solo rate | lost (median) | peak RSS KB while tracing |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for mode in a b; do
    if [ "$mode" = a ]; then rev=$rev_a; else rev=$rev_b; fi
    rate=$(awk -v m="$mode" '$2==m {print $3}' "$work/results" | median)
    share=$(awk -v r="$rate" -v s="$solo_rate" 'BEGIN {printf "%.0f%%", 100*r/s}')
    lost=$(awk -v m="$mode" '$2==m {print $5}' "$work/results" | median)
    rss=$(awk -v m="$mode" '$2==m {print $6}' "$work/results" | median)
    echo "| $mode | $(describe "$rev") | $(stat -c %s "$work/$mode.tar.gz") | $(start_ms "$work/$mode/tracer") | $(version_rss "$work/$mode/tracer") | $share | $lost | $rss |"
done
