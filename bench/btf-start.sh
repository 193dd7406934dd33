#!/usr/bin/env bash
# What running without the kernel's BTF costs at start: `tracer monitor` from its start to its "tracing" line (every
# program loaded and attached), with the kernel's own BTF against a minimized BTF given as a file (what the tracer does
# with the one it carries for a kernel without BTF: the programs that need none, relocated against it), interleaved.
# The minimized BTF is this kernel's, cut by bpftool gen min_core_btf to what the tarball's object reads, as the
# KernelBtf target cuts the carried ones. Runs as root.
# Usage: bench/btf-start.sh TRACER_FOLDER [runs]   (the folder of an unpacked x64 tarball, or artifacts/publish/linux-x64)
set -euo pipefail
tracer=$1/tracer
runs=${2:-11}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# The object the tracer embeds, as the build left it.
object=$(dirname "$0")/../artifacts/obj/bpf/x64/tracer.bpf.o
bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$work/min.btf" "$object"

# Seconds from start to the "tracing" line; the rest of stderr is drained, so the tracer never writes to a closed pipe.
start_time() {
    local start line pid
    rm -f "$work/stderr"
    mkfifo "$work/stderr"
    start=$(now)
    "$@" monitor --events all --duration 5 > /dev/null 2> "$work/stderr" &
    pid=$!
    {
        while read -r line; do
            case "$line" in "tracer: tracing"*) elapsed "$start"; kill -INT "$pid"; break ;; esac
        done
        cat > /dev/null
    } < "$work/stderr"
    wait "$pid" || true
}

for _ in $(seq "$runs"); do
    start_time "$tracer" >> "$work/kernel"
    TRACER_BTF="$work/min.btf" start_time "$tracer" >> "$work/carried"
done
kernel=$(median < "$work/kernel")
carried=$(median < "$work/carried")
echo "start to tracing, median of $runs, interleaved: kernel's BTF ${kernel} s, minimized BTF given ${carried} s ($(ratio "$carried" "$kernel"))"
echo "minimized BTF of this kernel for this object: $(stat -c %s "$work/min.btf") bytes, $(gzip -9 -c "$work/min.btf" | wc -c) gzipped"
