// Mocha's spec output plus a counts file, so scripts/test.sh can add the harness's own tests to the
// emulator suites' results and print one `N passed, N failed` line.
const Mocha = require('mocha');
const { writeFileSync } = require('node:fs');

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.MCS_HIL_COUNT_FILE;
      if (file)
        writeFileSync(file, JSON.stringify({ passed: this.stats.passes, failed: this.stats.failures, skipped: this.stats.pending }));
    });
  }
}
module.exports = CountReporter;
