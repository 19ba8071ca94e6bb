#!/usr/bin/env bash
# The harness's test command (README; CI runs it): install, type-check, the harness's own tests
# (unit, integration, self-validation, report check), then every suite on the emulator bench with its
# report. Ends with one line: `N passed, N failed`.
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

echo "== the harness's own tests"
counts=$(mktemp)
echo '{"passed":0,"failed":1}' > "$counts"
MCS_HIL_COUNT_FILE="$counts" npx mocha --reporter ./test/support/count-reporter.cjs
add "$counts"

echo "== every suite on the emulator bench (time-scaled x5 to fit CI), with its report"
out=$(mktemp -d)
node bin/mcs-hil.mjs run --bench benches/emulator.yaml --clock-rate 5 --out "$out" --report
summary=$(ls -d "$out"/runs/*/summary.json 2>/dev/null | head -n 1)
if [ -n "$summary" ]; then add "$summary"; else failed=$((failed + 1)); fi

echo "== the report shows what the run recorded (headless Chromium)"
if node bin/mcs-hil.mjs verify-report --out "$out"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
