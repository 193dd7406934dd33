#!/bin/sh
# Installs the tracer from a GitHub release:
#   curl -fsSL https://github.com/OWNER/REPO/releases/latest/download/install.sh | sh -s -- [--version vX.Y.Z] [--prefix DIR]
# Picks this machine's tarball by `uname -m`, checks it against the release's SHA256SUMS, unpacks it into
# PREFIX/lib/tracer and links PREFIX/bin/tracer. Every failure is one line on stderr and a non-zero exit, and leaves
# PREFIX as it was. POSIX sh: it also runs under dash and busybox.
set -eu

# The Release target fills these two in the copy it publishes (build/GitHub/InstallScript.cs): the repository, and
# `uname -m` names with the tarball arch (RID) each means, from the arch table build/Arch.cs.
repository=''
arches=''

usage="usage: install.sh [--version vX.Y.Z] [--prefix DIR] [--base-url URL]
  --version   the release to install (default: the latest)
  --prefix    installs into DIR/lib/tracer and DIR/bin/tracer (default: /usr/local as root, else \$HOME/.local)
  --base-url  where the releases are, as https://github.com/OWNER/REPO/releases (also TRACER_RELEASES_URL)"

fail() {
    echo "install.sh: $*" >&2
    exit 1
}

version=''
prefix=''
releases="${TRACER_RELEASES_URL:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --version | --prefix | --base-url)
            if [ $# -lt 2 ] || [ -z "$2" ]; then fail "$1 needs a value (--help shows the options)"; fi
            case "$1" in
                --version) version="$2" ;;
                --prefix) prefix="$2" ;;
                --base-url) releases="$2" ;;
            esac
            shift 2
            ;;
        -h | --help)
            echo "$usage"
            exit 0
            ;;
        *) fail "unknown option '$1' (--help shows the options)" ;;
    esac
done

if [ -z "$releases" ]; then
    [ -n "$repository" ] || fail "this copy does not know its repository: use the install.sh published with a release, or pass --base-url"
    releases="https://github.com/$repository/releases"
fi
releases="${releases%/}"
[ -n "$arches" ] || fail "this copy has no arch table: use the install.sh published with a release"

case "$version" in
    '') tag='' ;;
    v[0-9]*) tag="$version" ;;
    [0-9]*) tag="v$version" ;;
    *) fail "invalid --version '$version': expected vX.Y.Z" ;;
esac

machine="$(uname -m)"
rid=''
known=''
for pair in $arches; do
    [ "${pair%%=*}" = "$machine" ] && rid="${pair#*=}"
    known="$known ${pair%%=*}"
done
[ -n "$rid" ] || fail "no tracer for this machine's arch '$machine' (uname -m); there are tarballs for:$known"

if [ -z "$prefix" ]; then
    if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="${HOME:?}/.local"; fi
fi
case "$prefix" in
    /*) ;;
    *) prefix="$(pwd)/$prefix" ;;
esac

# Write access is checked on the deepest folder that exists, before anything is downloaded or created.
existing="$prefix"
while [ ! -d "$existing" ]; do
    [ ! -e "$existing" ] || fail "$existing is not a folder"
    existing="$(dirname "$existing")"
done
for folder in "$prefix/lib" "$prefix/bin"; do
    if [ -d "$folder" ]; then existing="$folder"; fi
    [ -w "$existing" ] || fail "no write access to $existing: pass --prefix DIR, or run as root (curl ... | sudo sh)"
done

for tool in tar gzip sha256sum mktemp; do
    command -v "$tool" >/dev/null 2>&1 || fail "needs $tool, which is not installed"
done
if command -v curl >/dev/null 2>&1; then
    download() { curl -fsSL --retry 3 -o "$2" "$1" 2>/dev/null; }
elif command -v wget >/dev/null 2>&1; then
    download() { wget -q -O "$2" "$1" 2>/dev/null; }
else
    fail "needs curl or wget, and neither is installed"
fi

if [ -n "$tag" ]; then
    base="$releases/download/$tag"
    what="release $tag"
else
    base="$releases/latest/download"
    what="the latest release"
fi

staging=''
temp="$(mktemp -d)"
cleanup() {
    rm -rf "$temp"
    if [ -n "$staging" ]; then rm -rf "$staging"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

download "$base/SHA256SUMS" "$temp/SHA256SUMS" || fail "cannot download $base/SHA256SUMS: is there $what at $releases?"
line="$(grep -E "^[0-9a-f]{64}  tracer-[^ /]+-$rid\.tar\.gz\$" "$temp/SHA256SUMS" | head -n 1)" || true
[ -n "$line" ] || fail "$what has no $rid tarball (its SHA256SUMS lists none)"
name="${line#*  }"
expected="${line%%  *}"

download "$base/$name" "$temp/$name" || fail "cannot download $base/$name"
actual="$(sha256sum "$temp/$name")"
actual="${actual%% *}"
[ "$actual" = "$expected" ] || fail "checksum mismatch for $name: SHA256SUMS says $expected, the download is $actual; nothing was installed"

# Unpacked beside the destination, so that the last steps are renames within one file system.
top="${name%.tar.gz}"
mkdir -p "$prefix/lib" "$prefix/bin"
staging="$(mktemp -d "$prefix/lib/.tracer-install.XXXXXX")"
tar -xzf "$temp/$name" -C "$staging" 2>/dev/null || fail "$name does not unpack: it may be damaged"
[ -x "$staging/$top/tracer" ] || fail "$name has no $top/tracer"
mv "$staging/$top" "$staging/new"
ln -s ../lib/tracer/tracer "$staging/link"
destination="$prefix/lib/tracer"
if [ -e "$destination" ]; then mv "$destination" "$staging/old"; fi
if ! mv "$staging/new" "$destination"; then
    if [ -e "$staging/old" ]; then mv "$staging/old" "$destination"; fi
    fail "cannot move the new version into $destination"
fi
mv -f "$staging/link" "$prefix/bin/tracer"

echo "Installed $top into $destination, linked from $prefix/bin/tracer."
echo "Run it as root (it loads BPF programs): sudo $prefix/bin/tracer monitor --duration 10"
echo "Check the machine first with: sudo $prefix/bin/tracer doctor"
