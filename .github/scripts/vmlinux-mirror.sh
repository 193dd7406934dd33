#!/usr/bin/env bash
# Lays out ../shared/vmlinux-mirror, which the tests serve on 127.0.0.1 (off GitHub it sits beside the checkout),
# from upstream at the lock's commit: <commit>/include/<dir>/<file>, checked against the lock's sha256, and the
# vmlinux.h link beside it (raw GitHub serves a symlink as its target's name).
set -euo pipefail
cd "$(dirname "$0")/../.."
lock=bpf/vmlinux.lock.json
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$lock" "$1"; }
upstream="https://raw.githubusercontent.com/$(field repository)"
commit="$(field commit)"

python3 -c 'import json, sys; [print(d, f["file"], f["sha256"]) for d, f in json.load(open(sys.argv[1]))["files"].items()]' "$lock" |
while read -r dir file sha256; do
    target="../shared/vmlinux-mirror/$commit/include/$dir"
    mkdir -p "$target"
    curl -fsSL --retry 3 -o "$target/$file" "$upstream/$commit/include/$dir/$file"
    echo "$sha256  $target/$file" | sha256sum -c --quiet
    curl -fsSL --retry 3 -o "$target/vmlinux.h" "$upstream/$commit/include/$dir/vmlinux.h"
done
