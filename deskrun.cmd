@echo off
rem Runs the deskrun command from a checkout on Windows: uses the JDK in JAVA_HOME
rem (21 or newer), builds deskrun-cli\target\deskrun.jar when it is missing, then runs it
rem with all arguments. Unlike the bash launcher it does not rebuild after source changes:
rem delete the jar or run "mvnw.cmd -B -q -DskipTests package" to rebuild.
rem NOTE: not yet run on Windows; only the bash launcher has tests.
setlocal

set "DESKRUN_ROOT=%~dp0"
set "DESKRUN_JAR=%DESKRUN_ROOT%deskrun-cli\target\deskrun.jar"
rem Written after a build succeeds, because an interrupted build can leave an unshaded jar.
set "DESKRUN_STAMP=%DESKRUN_JAR%.built"

rem Checks jump to labels instead of using ( ) blocks, because a JAVA_HOME such as
rem "C:\Program Files (x86)\..." would end a block at its ")".
if "%JAVA_HOME%"=="" goto nojavahome
if not exist "%JAVA_HOME%\bin\javac.exe" goto nojavac

rem The version is the third word of the first line of "java -version", for example
rem "25.0.1" or "1.8.0_392"; the major version is its first number, or the second for 1.x.
rem "call" keeps cmd from stripping the quotes around a path with spaces.
set "DESKRUN_JAVA_VERSION="
for /f "tokens=3" %%v in ('call "%JAVA_HOME%\bin\java.exe" -version 2^>^&1') do (
  if not defined DESKRUN_JAVA_VERSION set "DESKRUN_JAVA_VERSION=%%~v"
)
set "DESKRUN_JAVA_MAJOR="
for /f "delims=.-+_ tokens=1,2" %%a in ("%DESKRUN_JAVA_VERSION%") do (
  if "%%a"=="1" (set "DESKRUN_JAVA_MAJOR=%%b") else (set "DESKRUN_JAVA_MAJOR=%%a")
)
if "%DESKRUN_JAVA_MAJOR%"=="" goto noversion
if %DESKRUN_JAVA_MAJOR% LSS 21 goto tooold

if exist "%DESKRUN_STAMP%" if exist "%DESKRUN_JAR%" goto run
echo deskrun: building %DESKRUN_JAR% (first run)... 1>&2
if exist "%DESKRUN_STAMP%" del "%DESKRUN_STAMP%"
pushd "%DESKRUN_ROOT%"
call mvnw.cmd -B -q -DskipTests package 1>&2
set "DESKRUN_BUILD_EXIT=%ERRORLEVEL%"
popd
if not "%DESKRUN_BUILD_EXIT%"=="0" goto buildfailed
if not exist "%DESKRUN_JAR%" goto buildfailed
type nul > "%DESKRUN_STAMP%"

:run

"%JAVA_HOME%\bin\java.exe" -jar "%DESKRUN_JAR%" %*
exit /b %ERRORLEVEL%

:buildfailed
echo deskrun: the build failed; see the errors above 1>&2
exit /b 3

:nojavahome
echo deskrun: JAVA_HOME is not set; set it to a JDK 21 or newer, for example Temurin 21 1>&2
exit /b 3

:nojavac
echo deskrun: JAVA_HOME "%JAVA_HOME%" has no bin\javac.exe; set it to a JDK 21 or newer 1>&2
exit /b 3

:noversion
echo deskrun: cannot read the Java version of JAVA_HOME "%JAVA_HOME%" 1>&2
exit /b 3

:tooold
echo deskrun: JAVA_HOME "%JAVA_HOME%" is Java %DESKRUN_JAVA_MAJOR%; deskrun needs 21 or newer 1>&2
exit /b 3
