@echo off
rem Builds the build program (build\) and runs it, e.g. build.cmd --target Package --arch arm64.
setlocal
set "ROOT=%~dp0"
dotnet build "%ROOT%build\_build.csproj" -nologo -v quiet -tl:off || exit /b 1
set "TRACER_BUILD_ROOT=%ROOT%"
dotnet "%ROOT%build\bin\Debug\net10.0\_build.dll" %*
