// Mocha's spec output plus a counts file, so scripts/test.sh can add the harness's own tests to the
// emulator suites' results and print one `N passed, N failed` line. With MCS_HIL_FILE_TIMES set, it also
// writes each test file's wall time (hooks included), slowest first: where the CI minutes go.
const Mocha = require('mocha');
const { writeFileSync } = require('node:fs');
const { relative } = require('node:path');

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END } = Mocha.Runner.constants;
    const fileMs = new Map();
    const started = new Map();
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.file && suite.parent?.root) started.set(suite, performance.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const t0 = started.get(suite);
      if (t0 === undefined) return;
      const file = relative(process.cwd(), suite.file);
      fileMs.set(file, (fileMs.get(file) ?? 0) + performance.now() - t0);
    });
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.MCS_HIL_COUNT_FILE;
      if (file)
        writeFileSync(file, JSON.stringify({ passed: this.stats.passes, failed: this.stats.failures, skipped: this.stats.pending }));
      const times = process.env.MCS_HIL_FILE_TIMES;
      if (times) {
        const rows = [...fileMs].sort((a, b) => b[1] - a[1]).map(([f, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${f}`);
        writeFileSync(times, rows.join('\n') + '\n');
      }
    });
  }
}
module.exports = CountReporter;
