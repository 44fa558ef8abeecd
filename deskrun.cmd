@echo off
rem Runs the deskrun command from a checkout on Windows: uses the JDK in JAVA_HOME
rem (21 or newer), builds deskrun-cli\target\deskrun.jar when it is missing, then runs it
rem with all arguments. Unlike the bash launcher it does not rebuild after source changes:
rem delete the jar or run "mvnw.cmd -B -q -DskipTests package" to rebuild.
setlocal

set "DESKRUN_ROOT=%~dp0"
set "DESKRUN_JAR=%DESKRUN_ROOT%deskrun-cli\target\deskrun.jar"

if "%JAVA_HOME%"=="" (
  echo deskrun: JAVA_HOME is not set; set it to a JDK 21 or newer, for example Temurin 21 1>&2
  exit /b 3
)
if not exist "%JAVA_HOME%\bin\javac.exe" (
  echo deskrun: "%JAVA_HOME%" has no bin\javac.exe; set JAVA_HOME to a JDK 21 or newer 1>&2
  exit /b 3
)

rem The major version is the first number of "java -version", or the second for 1.x versions.
set "DESKRUN_JAVA_MAJOR="
for /f "tokens=3" %%v in ('"%JAVA_HOME%\bin\java.exe" -version 2^>^&1 ^| findstr /i "version"') do (
  for /f "delims=.-+ tokens=1,2" %%a in (%%v) do (
    if "%%a"=="1" (set "DESKRUN_JAVA_MAJOR=%%b") else (set "DESKRUN_JAVA_MAJOR=%%a")
  )
)
if "%DESKRUN_JAVA_MAJOR%"=="" (
  echo deskrun: cannot read the Java version of "%JAVA_HOME%" 1>&2
  exit /b 3
)
if %DESKRUN_JAVA_MAJOR% LSS 21 (
  echo deskrun: JAVA_HOME "%JAVA_HOME%" is Java %DESKRUN_JAVA_MAJOR%; deskrun needs 21 or newer 1>&2
  exit /b 3
)

if not exist "%DESKRUN_JAR%" (
  echo deskrun: building %DESKRUN_JAR% ^(first run^)... 1>&2
  pushd "%DESKRUN_ROOT%"
  call mvnw.cmd -B -q -DskipTests package 1>&2
  popd
)
if not exist "%DESKRUN_JAR%" (
  echo deskrun: the build failed; see the errors above 1>&2
  exit /b 3
)

"%JAVA_HOME%\bin\java.exe" -jar "%DESKRUN_JAR%" %*
exit /b %ERRORLEVEL%
