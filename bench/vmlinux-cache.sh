#!/usr/bin/env bash
# Cold vs warm `./build.sh --target Vmlinux --arch all` against a loopback mirror of ../shared/vmlinux-mirror,
# with the requests each run made; the peer is curl fetching the same two pinned files (what a hand-written
# Makefile does on every build). Usage: bench/vmlinux-cache.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
mirror_dir=$(cd ../shared/vmlinux-mirror && pwd)
work=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$mirror_dir" 2> "$work/server.log" > /dev/null &
server=$!
sleep 1
url="http://127.0.0.1:$port"
commit=$(sed -n 's/.*"commit": "\([0-9a-f]*\)".*/\1/p' bpf/vmlinux.lock.json)

. bench/lib.sh
requests() { grep -c '"GET ' "$work/server.log" || true; }
# The Vmlinux row of the build's summary table: the target alone, without build.sh's start-up.
target_seconds() { sed -n 's/^Vmlinux  *[A-Za-z]*  *\([0-9.]*\)s$/\1/p'; }

./build.sh --help > /dev/null # compile the build program first: not part of any measurement
for _ in $(seq "$runs"); do
    rm -rf "$work/cache"
    for case in cold warm; do
        before=$(requests); start=$(now)
        target=$(./build.sh --target Vmlinux --arch all --vmlinux-mirror "$url" --cache-dir "$work/cache" | target_seconds)
        echo "$(elapsed "$start") $target $(( $(requests) - before ))" >> "$work/$case"
    done

    before=$(requests); start=$(now)
    for dir in x86_64 aarch64; do
        curl -sf -o "$work/$dir.h" "$url/$commit/include/$dir/vmlinux_6.19.h"
    done
    seconds=$(elapsed "$start")
    echo "$seconds $seconds $(( $(requests) - before ))" >> "$work/curl"
done

printf '%-10s %16s %16s %10s\n' "case" "wall s (median)" "fetch s (median)" "requests"
for case in cold warm curl; do
    printf '%-10s %16.3f %16.3f %10s\n' "$case" "$(cut -d' ' -f1 "$work/$case" | median)" "$(cut -d' ' -f2 "$work/$case" | median)" \
        "$(cut -d' ' -f3 "$work/$case" | sort -u | tr '\n' ' ')"
done
