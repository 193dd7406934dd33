#!/usr/bin/env bash
# What two revisions' BPF code costs a traced open/close loop, interleaved (bench/bpf-ab.c says how and why).
# Usage (as root): bench/bpf-ab.sh REV_A REV_B [SECONDS] [PHASE_MS] [extra build parameters, e.g. --vmlinux-mirror DIR]
# A revision is anything git names (HEAD~1, a tag, a commit), or "." for the working tree as it is. Each is compiled
# by its own ./build.sh --target CompileBpf --arch x64, in a scratch worktree. Both must share this checkout's
# bpf/tracer.h settings layout. Prints B/A: above 1, B leaves the generator more of its rate. Run it twice with A and
# B swapped: an object against itself measured within about 0.5% of 1 (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ $# -ge 2 ] || { echo "usage: bench/bpf-ab.sh REV_A REV_B [SECONDS] [PHASE_MS] [build parameters]" >&2; exit 2; }
rev_a=$1 rev_b=$2 seconds=20 phase_ms=50
shift 2
if [[ ${1:-} =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
if [[ ${1:-} =~ ^[0-9]+$ ]]; then phase_ms=$1; shift; fi
[ "$(id -u)" = 0 ] || { echo "bench/bpf-ab.sh: run as root (it loads BPF programs and installs packages)" >&2; exit 1; }

install_missing gcc libbpf-dev
work=$(mktemp -d)
trap remove_scratch EXIT
mount_tracefs

# object REV NAME: compiles REV's BPF code for x64 and copies the object to $work/NAME.o.
object() {
    local dir
    dir=$(checkout "$1" "$2")
    (cd "$dir" && ./build.sh --target CompileBpf --arch x64 "${@:3}") > "$work/build-$2.log" 2>&1 \
        || { cat "$work/build-$2.log" >&2; exit 1; }
    cp "$dir/artifacts/obj/bpf/x64/tracer.bpf.o" "$work/$2.o"
}
object "$rev_a" a "$@"
object "$rev_b" b "$@"

gcc -O2 -Wall -o "$work/bpf-ab" bench/bpf-ab.c -lbpf
echo hello > "$work/target"
describe() { if [ "$1" = . ]; then echo "the working tree on $(git rev-parse --short HEAD)"; else echo "$1 ($(git rev-parse --short "$1"))"; fi; }
echo "A: $(describe "$rev_a"), B: $(describe "$rev_b"); $seconds s in phases of $phase_ms ms; load $(cut -d' ' -f1 /proc/loadavg)"
"$work/bpf-ab" "$work/a.o" "$work/b.o" "$seconds" "$phase_ms" "$work/target"
