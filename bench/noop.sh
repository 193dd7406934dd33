#!/usr/bin/env bash
# Warm no-op of `./build.sh --target Package --arch x64`: every target up to date, the build program already compiled.
# Peers in the same run: the same no-op through `dotnet run --project build` (how NUKE-style bootstraps start the
# build program: an MSBuild evaluation every time), and a `make` no-op for scale.
# Usage: bench/noop.sh [runs] [extra build parameters, e.g. --vmlinux-mirror ../shared/vmlinux-mirror]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-11}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null 2>&1; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'; }

./build.sh --target Package --arch x64 "$@" > "$work/first.log" # warm everything up
./build.sh --target Package --arch x64 "$@" > "$work/warm.log"
if grep -Eq '^(Preflight|Restore|Vmlinux|CompileBpf|Publish|Package) +(Succeeded|Failed)' "$work/warm.log"; then
    echo "not a no-op: some target ran" >&2; cat "$work/warm.log" >&2; exit 1
fi
printf 'all x64 targets UpToDate\n'

printf 'all\nx:\n\ttrue\n' > "$work/Makefile"; touch "$work/x"
for _ in $(seq "$runs"); do
    seconds ./build.sh --target Package --arch x64 "$@" >> "$work/ours"
    seconds env TRACER_BUILD_ROOT="$PWD" dotnet run --project build/_build.csproj -- --target Package --arch x64 "$@" >> "$work/dotnet-run"
    seconds make -C "$work" -q x >> "$work/make"
done

ours=$(median < "$work/ours")
printf '%-40s %10s %8s\n' "case ($runs runs)" "median s" "ratio"
printf '%-40s %10.3f %8s\n' "./build.sh (warm no-op)" "$ours" "1.00"
for peer in dotnet-run make; do
    m=$(median < "$work/$peer")
    printf '%-40s %10.3f %8.2f\n' "$peer" "$m" "$(awk -v a="$m" -v b="$ours" 'BEGIN { print a / b }')"
done
