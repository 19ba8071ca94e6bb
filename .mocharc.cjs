// The harness's own tests (not the charger suites, which `mcs-hil run` drives). `npx mocha FILE…` runs just
// those files: the default spec list applies only when no test file is named on the command line.
const named = process.argv.slice(2).some((a) => /\.test\.ts$/.test(a) || /^test\//.test(a));
module.exports = {
  ...(named ? {} : { spec: ['test/**/*.test.ts'] }),
  'node-option': ['import=tsx'],
  timeout: 60000,
  'forbid-only': true,
  retries: 0,
};
