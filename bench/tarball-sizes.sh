#!/usr/bin/env bash
# Builds the release tarballs and prints their sizes: self-contained x64, framework-dependent x64 and arm64.
# Usage: bench/tarball-sizes.sh [extra build parameters, e.g. --vmlinux-mirror ../shared/vmlinux-mirror]
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.0.0-size
./build.sh --target Package --arch x64 --version "$version" "$@" > /dev/null
sc=$(stat -c %s "artifacts/tracer-$version-linux-x64.tar.gz")
sc_tracer=$(stat -c %s artifacts/publish/linux-x64/tracer)
./build.sh --target Package --arch all --self-contained false --version "$version" "$@" > /dev/null
printf '%-40s %12s\n' "tarball" "bytes"
printf '%-40s %12d  (tracer single file: %d bytes)\n' "linux-x64, self-contained, trimmed" "$sc" "$sc_tracer"
for arch in x64 arm64; do
    printf '%-40s %12d\n' "linux-$arch, framework-dependent" "$(stat -c %s "artifacts/tracer-$version-linux-$arch-framework-dependent.tar.gz")"
done
