#!/bin/sh
# Launcher of the framework-dependent tracer: runs tracer.dll beside it with an installed .NET 10 runtime.
here=$(dirname "$(readlink -f "$0")")
if [ -n "${DOTNET_ROOT:-}" ] && [ -x "$DOTNET_ROOT/dotnet" ]; then
    dotnet="$DOTNET_ROOT/dotnet"
elif command -v dotnet >/dev/null 2>&1; then
    dotnet=$(command -v dotnet)
else
    echo "tracer: no .NET runtime found: install the .NET 10 runtime (or set DOTNET_ROOT), or use the self-contained tarball" >&2
    exit 127
fi
if ! "$dotnet" --list-runtimes 2>/dev/null | grep -q '^Microsoft\.NETCore\.App 10\.'; then
    echo "tracer: $dotnet has no .NET 10 runtime (Microsoft.NETCore.App 10.x): install it, or use the self-contained tarball" >&2
    exit 127
fi
exec "$dotnet" "$here/tracer.dll" "$@"
