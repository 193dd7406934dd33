@echo off
rem Runs the build program (build\), e.g. build.cmd --target Package --arch arm64.
rem Batch cannot compare file times, so the program itself says when it is older than its sources: given the stamp of its
rem last compile it exits at once with code 75 (build\Engine\BuildProgramFreshness.cs). Only then, or when it was never
rem compiled, does MSBuild compile it before it starts again.
setlocal
set "ROOT=%~dp0"
set "PROGRAM=%ROOT%build\bin\Debug\net10.0\_build.dll"
set "TEMP_DIR=%ROOT%.nuke\temp"
set "STAMP=%ROOT%.nuke\temp\build-program.stamp"
set "INSTALLED=%ROOT%.nuke\temp\dotnet"

rem The SDK: DOTNET_EXE, DOTNET_ROOT, PATH, one this script installed before; else the one global.json pins is
rem installed into .nuke\temp\dotnet, when PowerShell can reach the download site.
set "DOTNET=%DOTNET_EXE%"
if not defined DOTNET if defined DOTNET_ROOT if exist "%DOTNET_ROOT%\dotnet.exe" set "DOTNET=%DOTNET_ROOT%\dotnet.exe"
if not defined DOTNET for %%d in (dotnet.exe) do set "DOTNET=%%~$PATH:d"
if not defined DOTNET if exist "%INSTALLED%\dotnet.exe" set "DOTNET=%INSTALLED%\dotnet.exe"
if defined DOTNET goto :run

set "SCRIPT_URL=%DOTNET_INSTALL_SCRIPT_URL%"
if not defined SCRIPT_URL set "SCRIPT_URL=https://dot.net/v1/dotnet-install.ps1"
for /f "usebackq tokens=1,2 delims=:, " %%a in ("%ROOT%global.json") do if "%%~a"=="version" set "VERSION=%%~b"
for %%p in (powershell.exe) do set "POWERSHELL=%%~$PATH:p"
if not defined POWERSHELL goto :unreachable
if not exist "%TEMP_DIR%" mkdir "%TEMP_DIR%"
if exist "%TEMP_DIR%\dotnet-install.ps1" del "%TEMP_DIR%\dotnet-install.ps1"
"%POWERSHELL%" -NoProfile -ExecutionPolicy Bypass -Command "$ProgressPreference = 'SilentlyContinue'; Invoke-WebRequest -UseBasicParsing -TimeoutSec 60 -Uri '%SCRIPT_URL%' -OutFile '%TEMP_DIR%\dotnet-install.ps1'" >nul 2>&1
if not exist "%TEMP_DIR%\dotnet-install.ps1" goto :unreachable
>&2 echo build.cmd: installing the .NET %VERSION% SDK into %INSTALLED%
"%POWERSHELL%" -NoProfile -ExecutionPolicy Bypass -File "%TEMP_DIR%\dotnet-install.ps1" -Version %VERSION% -InstallDir "%INSTALLED%" -NoPath 1>&2
if not exist "%INSTALLED%\dotnet.exe" (
    >&2 echo build.cmd: dotnet-install.ps1 did not install the .NET %VERSION% SDK into %INSTALLED%
    exit /b 1
)
set "DOTNET=%INSTALLED%\dotnet.exe"
set "DOTNET_ROOT=%INSTALLED%"

:run
set "DOTNET_CLI_TELEMETRY_OPTOUT=1"
set "DOTNET_NOLOGO=1"
set "BUILD_ENGINE_ROOT=%ROOT%"
rem dotnet is started without "call", which would expand %% and double ^ in the arguments once more.
if not exist "%PROGRAM%" goto :compile
set "BUILD_ENGINE_STAMP=%STAMP%"
"%DOTNET%" "%PROGRAM%" %*
if %ERRORLEVEL% neq 75 exit /b %ERRORLEVEL%
set "BUILD_ENGINE_STAMP="

:compile
if not exist "%TEMP_DIR%" mkdir "%TEMP_DIR%"
"%DOTNET%" build "%ROOT%build\_build.csproj" -nologo -v quiet -tl:off --disable-build-servers >"%TEMP_DIR%\build-program.log" 2>&1
if %ERRORLEVEL% neq 0 (
    >&2 type "%TEMP_DIR%\build-program.log"
    >&2 echo build.cmd: the build program ^(build\^) did not compile
    exit /b 1
)
rem Stamped after compiling: the first compile creates build\bin and build\obj, which touches build\ itself.
type nul >"%STAMP%"
"%DOTNET%" "%PROGRAM%" %*
exit /b %ERRORLEVEL%

:unreachable
>&2 echo build.cmd: no .NET SDK (DOTNET_EXE, DOTNET_ROOT, PATH) and %SCRIPT_URL% cannot be reached with PowerShell: install the .NET %VERSION% SDK
exit /b 1
