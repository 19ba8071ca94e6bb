#!/usr/bin/env bash
# The main job: install, run every suite on the default emulator bench, generate the HTML report.
# Extra arguments go to `mcs-hil run` (e.g. --bench benches/lab-a.yaml --suite mcs).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --run || exit $?
node bin/mcs-hil.mjs run --report "$@"
