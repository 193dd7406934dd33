#!/usr/bin/env bash
# On a GitHub-hosted Ubuntu runner, lets apt install the other arch's packages, which the Test target's
# Preflight does (libstdc++6 of the other arch, to run that arch's tracer under qemu-user; the build itself links
# against its own Debian 11 sysroot and needs none): Ubuntu serves amd64 from archive.ubuntu.com
# and arm64 from ports.ubuntu.com, so each source is pinned to the arch it serves and the other archive added.
# Debian needs none of this: one mirror serves every arch. Run as root.
set -euo pipefail

native="$(dpkg --print-architecture)"
case "$native" in
    amd64) other=arm64 other_uri=http://ports.ubuntu.com/ubuntu-ports ;;
    arm64) other=amd64 other_uri=http://archive.ubuntu.com/ubuntu ;;
    *) echo "apt-other-arch.sh: unexpected native arch $native" >&2; exit 1 ;;
esac
# shellcheck source=/dev/null
codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"

# deb822 sources without an Architectures field serve every configured arch: pin them to the native one.
for sources in /etc/apt/sources.list.d/*.sources; do
    [ -e "$sources" ] || continue
    grep -q '^Architectures:' "$sources" || sed -i "/^Types:/a Architectures: $native" "$sources"
done
# One-line sources likewise.
for list in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -e "$list" ] || continue
    sed -i -E -e "/^deb(-src)? \[/{/arch=/!s/^(deb(-src)?) \[/\1 [arch=$native /}" \
              -e "s/^(deb(-src)?) ([^[])/\1 [arch=$native] \3/" "$list"
done

cat > "/etc/apt/sources.list.d/ubuntu-$other.sources" <<SOURCES
Types: deb
URIs: $other_uri
Suites: $codename $codename-updates $codename-security
Components: main universe
Architectures: $other
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
SOURCES
dpkg --add-architecture "$other"
echo "apt: $native from the runner's sources, $other from $other_uri ($codename)"
