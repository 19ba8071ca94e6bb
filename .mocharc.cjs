// The harness's own tests (not the charger suites, which `mcs-hil run` drives). `npx mocha FILE…` runs just
// those files: the default spec list applies only when no test file is named on the command line.
const named = process.argv.slice(2).some((a) => /\.test\.ts$/.test(a) || /^test\//.test(a));

// Every temporary folder a test makes (os.tmpdir(), also in the runs it spawns) lands in one folder per mocha
// invocation, removed when mocha exits: the tests leave nothing behind in /tmp (test/cli/outside-checkout.test.ts).
if (!process.env.MCS_HIL_TEST_TMPDIR) {
  const { mkdtempSync, rmSync } = require('node:fs');
  const dir = mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'mcs-hil-tests-'));
  process.env.MCS_HIL_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}
module.exports = {
  ...(named ? {} : { spec: ['test/**/*.test.ts'] }),
  'node-option': ['import=tsx'],
  timeout: 60000,
  'forbid-only': true,
  retries: 0,
};
