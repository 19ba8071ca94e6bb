#!/usr/bin/env bash
# Install what mcs-hil needs on a fresh Debian machine: npm packages (npm ci, with the approved install
# scripts), and the Debian packages the report, the report check and the interop tests use. Idempotent:
# packages already present are not fetched again.
#   scripts/setup.sh          everything (tests)
#   scripts/setup.sh --run    only what a bench run + report needs
set -euo pipefail
cd "$(dirname "$0")/.."

# libpcap-dev: headers the raw-Ethernet binding (npm cap, SLAC over PLC) builds against during npm ci.
want=(chromium default-jre-headless iproute2 openssl libpcap-dev)
# g++: the native real-time CAN helper (native/build.sh); without it the CAN wire stays on a worker thread.
command -v g++ >/dev/null 2>&1 || want+=(g++)
[ "${1:-}" = "--run" ] || want+=(python3-can can-utils)
# tcpdump: the per-test pcapng of each network link in the evidence (runner/link-capture.ts); a run goes on without it.
want+=(tcpdump)
# tshark: the interop tests that read our SLAC frames as HomePlug AV and the captured V2GTP (test/ccs2/link-capture.test.ts).
[ "${1:-}" = "--run" ] || want+=(tshark)

missing=()
for p in "${want[@]}"; do
  # Java may come from elsewhere (any JRE ≥ 8 will do for the report).
  if [ "$p" = default-jre-headless ] && command -v java >/dev/null 2>&1; then continue; fi
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} — run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  echo "setup: installing ${missing[*]}"
  (
    flock 9
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ) 9>/tmp/mcs-hil-apt.lock
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The default bench's CCS2 port needs the raw-Ethernet binding, an optional npm dependency: npm skips it
# quietly when it cannot build (libpcap-dev installed only after node_modules). Build it now, or say so.
if ! node -e "require('cap')" >/dev/null 2>&1; then
  echo "setup: building the raw-Ethernet binding (npm cap, libpcap)"
  if [ -d node_modules/cap ]; then npm rebuild cap --loglevel=error; else npm ci --no-audit --no-fund --loglevel=error; fi
  node -e "require('cap')" >/dev/null || { echo "setup: npm cap did not build: SLAC over PLC (the CCS2 port) cannot run" >&2; exit 2; }
fi

# The native real-time CAN helper (SCHED_FIFO periodic sends, kernel receive stamps): a socketcand bus uses it
# when built, else its worker thread.
bash native/build.sh --quiet || echo "setup: native CAN helper not built: socketcand buses run on worker threads" >&2
