#!/usr/bin/env bash
# Installs the independent CAN tools the interop tests compare against: python-can (Debian python3-can,
# used through /usr/bin/python3) and can-utils (log2asc, canplayer, …). Idempotent; serialised with flock
# because several test processes (and other engineers' installs) may run apt at the same time.
set -euo pipefail

have_tools() {
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import can' 2>/dev/null && command -v log2asc >/dev/null 2>&1
}

if have_tools; then exit 0; fi

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

exec 9>/tmp/apt.lock
flock 9
# Another process may have installed them while we waited for the lock.
if have_tools; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq python3-can can-utils >/dev/null
have_tools || { echo "install-can-tools: python3-can / can-utils still missing after apt-get install" >&2; exit 1; }
