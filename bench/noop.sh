#!/usr/bin/env bash
# The build's start-up cost, against the NUKE-style bootstrap `dotnet run --project build -- <same args>` (an MSBuild
# evaluation on every call) measured in the same run:
#   - a warm no-op `./build.sh --target Package --arch x64`: every target up to date, build program compiled;
#   - `./build.sh --help`;
#   - a `make` no-op, for scale.
# Usage: bench/noop.sh [runs] [extra build parameters, e.g. --vmlinux-mirror ../shared/vmlinux-mirror]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-11}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. bench/lib.sh
seconds() { local start; start=$(now); "$@" > /dev/null 2>&1; elapsed "$start"; }
bootstrap() { env BUILD_ENGINE_ROOT="$PWD" dotnet run --project build/_build.csproj -- "$@"; }

package=(--target Package --arch x64 "$@")
./build.sh "${package[@]}" > "$work/first.log" # warm everything up
./build.sh "${package[@]}" > "$work/warm.log"
if grep -Eq '^(Preflight|Restore|Vmlinux|CompileBpf|Publish|Package) +(Succeeded|Failed)' "$work/warm.log"; then
    echo "not a no-op: some target ran" >&2; cat "$work/warm.log" >&2; exit 1
fi

printf 'x:\n\ttrue\n' > "$work/Makefile"; touch "$work/x"
for _ in $(seq "$runs"); do
    seconds ./build.sh "${package[@]}" >> "$work/noop"
    seconds bootstrap "${package[@]}" >> "$work/noop-bootstrap"
    seconds ./build.sh --help >> "$work/help"
    seconds bootstrap --help >> "$work/help-bootstrap"
    seconds make -C "$work" x >> "$work/make"
done

printf '%-46s %10s %12s\n' "case ($runs runs, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))" "median s" "vs build.sh"
row() { printf '%-46s %10.3f %12s\n' "$1" "$(median < "$work/$2")" "$3"; }
ratio_of() { ratio "$(median < "$work/$1")" "$(median < "$work/$2")"; }
row "./build.sh --target Package --arch x64 (no-op)" noop ""
row "dotnet run --project build -- (same)" noop-bootstrap "$(ratio_of noop-bootstrap noop)"
row "./build.sh --help" help ""
row "dotnet run --project build -- --help" help-bootstrap "$(ratio_of help-bootstrap help)"
row "make no-op" make "$(ratio_of make noop)"
