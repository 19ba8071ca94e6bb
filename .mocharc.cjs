// The harness's own tests (not the charger suites, which `mcs-hil run` drives).
module.exports = {
  spec: ['test/**/*.test.ts'],
  'node-option': ['import=tsx'],
  timeout: 60000,
  'forbid-only': true,
  retries: 0,
};
