#!/usr/bin/env bash
# VmTest's cost per arch on the default kernel: cold (an empty cache: apt lists, the kernel and userland packages are
# downloaded) and warm (the same cache again: no request), each a median of RUNS. The tarballs must exist (Package);
# only VmTest runs (--skip). "in qemu" is the boot-to-poweroff part of the warm run, from VmTest's own table.
# Usage: bench/vmtest.sh [runs] [extra build parameters]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. bench/lib.sh
seconds() { local start; start=$(now); "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; elapsed "$start"; }

for arch in x64 arm64; do
    for _ in $(seq "$runs"); do
        rm -rf "$work/cache"
        seconds ./build.sh --target VmTest --skip --arch "$arch" --cache-dir "$work/cache" "$@" >> "$work/cold-$arch"
        seconds ./build.sh --target VmTest --skip --arch "$arch" --cache-dir "$work/cache" "$@" >> "$work/warm-$arch"
        grep -o '| [0-9]* s |' artifacts/vmtest/summary.md | tr -dc '0-9\n' >> "$work/boot-$arch"
    done
done

printf '%-8s %12s %12s %16s   (%s runs, %s cores, load %s)\n' arch "cold s" "warm s" "of which in qemu" "$runs" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
for arch in x64 arm64; do
    printf '%-8s %12.1f %12.1f %16.1f\n' "$arch" "$(median < "$work/cold-$arch")" "$(median < "$work/warm-$arch")" "$(median < "$work/boot-$arch")"
done
