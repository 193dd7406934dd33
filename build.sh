#!/usr/bin/env bash
# Builds the build program (build/) and runs it, e.g. ./build.sh --target Package --arch arm64.
# Without the execute bit: bash build.sh ...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

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
if ! build_log="$("$dotnet" build "$root/build/_build.csproj" -nologo -v quiet -tl:off 2>&1)"; then
    echo "$build_log" >&2
    echo "build.sh: the build program (build/) did not compile" >&2
    exit 1
fi
TRACER_BUILD_ROOT="$root" exec "$dotnet" "$root/build/bin/Debug/net10.0/_build.dll" "$@"
