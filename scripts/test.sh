#!/usr/bin/env bash
# The harness's test command (README; CI runs it): install, type-check, the harness's own tests
# (unit, integration, self-validation, report check), then every suite on the emulator bench with its
# report. The bulk runs on the virtual-time bench (benches/emulator-virtual.yaml); a smaller real-time run on
# the veth/hub bench proves the real sockets. Ends with one line: `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?

passed=0
failed=0
skipped=0
add() { # add counts from a JSON file {passed, failed, skipped}
  local p f s
  read -r p f s < <(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(c.passed??0,c.failed??0,c.skipped??0)' "$1" 2>/dev/null || echo "0 1 0")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

echo "== type check (tsc --noEmit)"
if npx tsc --noEmit -p .; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== lint (eslint)"
if npx eslint .; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== format (prettier --check; generated code and data excluded by .prettierignore)"
if npx prettier --check . > /dev/null; then passed=$((passed + 1)); else npx prettier --list-different .; failed=$((failed + 1)); fi

echo "== the harness's own tests (unit, integration, interop, self-validation of every fault switch)"
# The self-validation's baselines, each in its own folder under $out, are reported and checked below:
#   virtual/  every suite with no fault on the virtual-time emulator bench;
#   real/     the smoke run of the real sockets, in real time on the veth/hub bench: the tests that need a
#             network (SDP, raw TLS handshakes), the MCS handshake and the GB/T sequence.
out=$(mktemp -d)
counts=$(mktemp)
echo '{"passed":0,"failed":1}' > "$counts"
MCS_HIL_COUNT_FILE="$counts" MCS_HIL_SELFVAL_OUT="$out" npx mocha --reporter ./test/support/count-reporter.cjs
add "$counts"

echo "== the emulator suites (the baseline runs above), with their HTML reports"
runs=0
for folder in "$out"/virtual "$out"/real; do
  [ -d "$folder" ] || continue
  summary=$(ls -d "$folder"/runs/*/summary.json 2>/dev/null | head -n 1)
  if [ -z "$summary" ]; then echo "no emulator run in $folder"; failed=$((failed + 1)); continue; fi
  runs=$((runs + 1))
  add "$summary"
  if node bin/mcs-hil.mjs report --out "$folder"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  echo "== the report shows what the run recorded (headless Chromium)"
  if node bin/mcs-hil.mjs verify-report --out "$folder"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
if [ "$runs" -eq 0 ]; then echo "no emulator run found"; failed=$((failed + 1)); fi

echo
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
