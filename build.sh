#!/usr/bin/env bash
# Runs the build program (build/), e.g. ./build.sh --target Package --arch arm64.
# It is compiled only when something it is made of changed since the last compile; otherwise it starts at once,
# without MSBuild. Without the execute bit: bash build.sh ...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
program="$root/build/bin/Debug/net10.0/_build.dll"
stamp="$root/.nuke/temp/build-program.stamp"

if [ -n "${DOTNET_EXE:-}" ]; then
    dotnet="$DOTNET_EXE"
elif [ -n "${DOTNET_ROOT:-}" ] && [ -x "$DOTNET_ROOT/dotnet" ]; then
    dotnet="$DOTNET_ROOT/dotnet"
elif command -v dotnet >/dev/null 2>&1; then
    dotnet="$(command -v dotnet)"
else
    echo "build.sh: the .NET SDK was not found: install the .NET 10 SDK, or set DOTNET_EXE or DOTNET_ROOT" >&2
    exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Anything newer than the stamp (folders too: adding or deleting a file touches its folder) means a recompile.
changed() {
    [ ! -f "$program" ] || [ ! -f "$stamp" ] || [ -n "$(find "$root/build" "$root/global.json" "$root/Directory.Build.props" \
        "$root/Directory.Packages.props" \( -path "$root/build/bin" -o -path "$root/build/obj" \) -prune -o -newer "$stamp" -print -quit)" ]
}

if changed; then
    if ! build_log="$("$dotnet" build "$root/build/_build.csproj" -nologo -v quiet -tl:off 2>&1)"; then
        echo "$build_log" >&2
        echo "build.sh: the build program (build/) did not compile" >&2
        exit 1
    fi
    # Stamped after compiling: the first compile creates build/bin and build/obj, which touches build/ itself.
    mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
TRACER_BUILD_ROOT="$root" exec "$dotnet" "$program" "$@"
