#!/usr/bin/env bash
# Runs the build program (build/), e.g. ./build.sh --target Package --arch arm64.
# It is compiled only when something it is made of changed since the last compile; otherwise it starts at once,
# without MSBuild. Without the execute bit: bash build.sh ...
set -euo pipefail
# Bash's own expansions and variables rather than dirname and uname: each program started costs a warm no-op time.
script_dir="${BASH_SOURCE[0]%/*}"
[ "$script_dir" != "${BASH_SOURCE[0]}" ] || script_dir=.
root="$(cd "$script_dir" && pwd)"
stamp="$root/.nuke/temp/build-program.stamp"
# On x64 the program is published ReadyToRun (precompiled): a warm no-op starts about a third faster than on the JIT
# (docs/benchmarks.md). Other hosts build it plainly: NuGet serves no crossgen pack for them here.
if [ "$HOSTTYPE" = x86_64 ]; then
    program="$root/build/bin/ReadyToRun/_build.dll"
    compile=(publish "$root/build/_build.csproj" -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$root/build/bin/ReadyToRun")
else
    program="$root/build/bin/Debug/net10.0/_build.dll"
    compile=(build "$root/build/_build.csproj")
fi

# The SDK: DOTNET_EXE, DOTNET_ROOT, PATH, one this script installed before; else the one global.json pins is
# installed into .nuke/temp/dotnet, when the download site can be reached.
installed="$root/.nuke/temp/dotnet"
if [ -n "${DOTNET_EXE:-}" ]; then
    dotnet="$DOTNET_EXE"
elif [ -n "${DOTNET_ROOT:-}" ] && [ -x "$DOTNET_ROOT/dotnet" ]; then
    dotnet="$DOTNET_ROOT/dotnet"
elif command -v dotnet >/dev/null 2>&1; then
    dotnet="$(command -v dotnet)"
elif [ -x "$installed/dotnet" ]; then
    dotnet="$installed/dotnet"
else
    script_url="${DOTNET_INSTALL_SCRIPT_URL:-https://dot.net/v1/dotnet-install.sh}"
    version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$root/global.json")"
    mkdir -p "$root/.nuke/temp"
    if ! curl -fsSL --max-time 60 "$script_url" -o "$root/.nuke/temp/dotnet-install.sh" 2>/dev/null; then
        echo "build.sh: no .NET SDK (DOTNET_EXE, DOTNET_ROOT, PATH) and $script_url cannot be reached: install the .NET $version SDK" >&2
        exit 1
    fi
    echo "build.sh: installing the .NET $version SDK into $installed" >&2
    bash "$root/.nuke/temp/dotnet-install.sh" --version "$version" --install-dir "$installed" --no-path >&2
    dotnet="$installed/dotnet"
    export DOTNET_ROOT="$installed"
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Anything newer than the stamp (folders too: adding or deleting a file touches its folder) means a recompile. This is
# build/Engine/BuildProgramFreshness.cs's rule, which build.cmd asks the program; asked here with find, so that the
# program is exec'd (signals reach it) and starts only once. BootstrapFreshnessTests holds the two to the same answers.
changed() {
    [ ! -f "$program" ] || [ ! -f "$stamp" ] || [ -n "$(find "$root/build" "$root/global.json" "$root/Directory.Build.props" \
        "$root/Directory.Packages.props" -type d \( -name bin -o -name obj \) -prune -o -newer "$stamp" -print -quit)" ]
}

if changed; then
    # One compile at a time: two at once in build/obj fail with MSBuild's IOException. A second build.sh waits here
    # (flock, released when its holder dies), then finds the program fresh.
    mkdir -p "$root/.nuke/temp"
    exec 9>"$stamp.lock"
    flock 9
    if changed; then
        # Nothing outlives the compile: no build server, and its temporary files (the CLI leaves empty folders in
        # $TMPDIR) go to a folder of its own, named as build/TemporaryFolders.cs names them: this process becomes the
        # build, and a build removes the folders of processes that are gone.
        temp="$root/artifacts/obj/tmp/$$.build-program"
        mkdir -p "$temp"
        status=0
        build_log="$(TMPDIR="$temp" "$dotnet" "${compile[@]}" -nologo -v quiet -tl:off --disable-build-servers 2>&1)" || status=$?
        rm -rf "$temp"
        if [ "$status" -ne 0 ]; then
            echo "$build_log" >&2
            echo "build.sh: the build program (build/) did not compile" >&2
            exit 1
        fi
        # Stamped after compiling: the first compile creates build/bin and build/obj, which touches build/ itself.
        touch "$stamp"
    fi
    exec 9>&-
fi
BUILD_ENGINE_ROOT="$root" exec "$dotnet" "$program" "$@"
