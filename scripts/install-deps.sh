#!/usr/bin/env bash
# Installs what a job needs on a fresh Debian machine, and nothing when it is already there.
#   scripts/install-deps.sh run    – the robot node
#   scripts/install-deps.sh test   – the test suite (real peers the tests start themselves)
# Debian packages are installed with apt-get as root ('apt-get update' once first).
set -euo pipefail
job="${1:-run}"

# Debian packages per job: OpenBLAS for the learning code (it falls back to managed kernels without it, but the
# tests check the two agree); socat for the pseudo-terminal pairs the simulated Dynamixel bus runs on; gcc for the
# L1 native reference; Cyclone DDS (libddsc) for ROS 2, with its headers, idlc and ddsperf for the cross-implementation
# tests and the latency benchmark; mosquitto and its clients (mosquitto_pub/sub/passwd) and openssl for the MQTT tests,
# which start their own broker with a test CA; chromium (headless) to render the HIL HTML report in its tests.
case "$job" in
  run)  packages=(libopenblas0 socat libddsc0debian) ;;
  test) packages=(libopenblas0 socat libddsc0debian cyclonedds-dev cyclonedds-tools gcc mosquitto mosquitto-clients openssl chromium) ;;
  bench) packages=(gcc libopenblas0 socat libddsc0debian cyclonedds-tools) ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET 10 SDK is not on PATH; install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and retry" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
