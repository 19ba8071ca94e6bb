#!/usr/bin/env bash
# The main job: install, run every suite on the default emulator bench (real sockets, real time), generate the
# HTML report. `--virtual` runs the same suites on the virtual-time emulator bench instead (same verdicts, a
# byte-reproducible timeline, seconds instead of minutes).
# Extra arguments go to `mcs-hil run` (e.g. --bench benches/lab-a.yaml --suite mcs).
set -uo pipefail
cd "$(dirname "$0")/.."
args=()
for a in "$@"; do
  if [ "$a" = "--virtual" ]; then args+=(--bench benches/emulator-virtual.yaml); else args+=("$a"); fi
done
bash scripts/setup.sh --run || exit $?
node bin/mcs-hil.mjs run --report "${args[@]}"
