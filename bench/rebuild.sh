#!/usr/bin/env bash
# In a scratch clone: a cold `./build.sh --target Package --arch all --self-contained false` (fresh clone, empty
# vmlinux cache; NuGet's cache as it is), then the rebuild after an edit of bpf/tracer.bpf.c, against the same rebuild
# with --force (every target again, as a build without incremental targets does).
# Usage: bench/rebuild.sh [runs] [extra build parameters, e.g. --vmlinux-mirror ../shared/vmlinux-mirror]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. bench/lib.sh
seconds() { local start; start=$(now); "$@" > "$work/last.log" 2>&1; elapsed "$start"; }

for run in $(seq "$runs"); do
    clone="$work/clone-$run"
    git clone -q . "$clone"
    package=("$clone/build.sh" --target Package --arch all --self-contained false --cache-dir "$work/cache-$run" "$@")
    seconds "${package[@]}" >> "$work/cold"

    echo "const volatile int rebuild_marker_$run = $run;" >> "$clone/bpf/tracer.bpf.c"
    seconds "${package[@]}" >> "$work/edit"
    grep -E '^(Preflight|Restore|Vmlinux|CompileBpf|Publish|Package) ' "$work/last.log" | tr -s ' ' | cut -d' ' -f1,2 | tr '\n' ' ' > "$work/edit-statuses"

    echo "const volatile int rebuild_marker_b_$run = $run;" >> "$clone/bpf/tracer.bpf.c"
    seconds "${package[@]}" --force >> "$work/force"
done

printf '%-52s %10s %8s\n' "case ($runs runs, $(nproc) cores)" "median s" "ratio"
printf '%-52s %10.2f %8s\n' "cold Package, both arches (fresh clone)" "$(median < "$work/cold")" ""
printf '%-52s %10.2f %8s\n' "after editing tracer.bpf.c (incremental)" "$(median < "$work/edit")" "1.00"
printf '%-52s %10.2f %8s\n' "after editing tracer.bpf.c, --force (everything)" "$(median < "$work/force")" \
    "$(ratio "$(median < "$work/force")" "$(median < "$work/edit")")"
printf 'statuses after the edit: %s\n' "$(cat "$work/edit-statuses")"
