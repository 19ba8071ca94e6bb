#!/usr/bin/env bash
# Build the native real-time CAN helper (native/rt-can.cpp) into native/build/. Needs g++ (Debian: g++);
# without it the harness keeps the worker-thread wire and says so in the run environment.
#   bash native/build.sh [--quiet]
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v g++ >/dev/null 2>&1; then
  echo "native: g++ not found (apt-get install g++): the CAN wire stays on the worker thread" >&2
  exit 2
fi
mkdir -p build
out=build/mcs-hil-rt-can
if [ ! -x "$out" ] || [ rt-can.cpp -nt "$out" ] || [ rt-records.hpp -nt "$out" ]; then
  g++ -std=c++17 -O2 -Wall -Wextra -pthread -o "$out.tmp" rt-can.cpp
  mv "$out.tmp" "$out"
  [ "${1:-}" = --quiet ] || echo "native: built native/$out"
fi
