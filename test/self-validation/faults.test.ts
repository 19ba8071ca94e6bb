// Self-validation: the harness proves its own assertions. For every emulator fault switch, run the
// suite that must catch it with the switch on, and check that exactly the expected tests fail — with the
// expected Allure category — and every other test of that suite still passes.
import { expect } from 'chai';
import { faultCatalogue } from '../../benches/emulator/faults.ts';
import '../../benches/kinds.ts';
import { VIOLATION_TAG } from '../../reports/evidence.ts';
import { allureResults, label, mcsHil, onlyRunDir, tmp, type AllureResult } from '../foundation/helpers.ts';

const BENCH = process.env.MCS_HIL_SELFVAL_BENCH ?? 'benches/emulator.yaml';
/** Optional: `MCS_HIL_SELFVAL_ONLY=ramp-too-slow,overshoot` to check a few switches while developing. */
const ONLY = process.env.MCS_HIL_SELFVAL_ONLY?.split(',').filter(Boolean);

const CATEGORY_TAG: Record<string, string | undefined> = {
  'protocol violation': VIOLATION_TAG.protocol,
  'timing violation': VIOLATION_TAG.timing,
  'current-control violation': VIOLATION_TAG['current-control'],
  'safety violation': VIOLATION_TAG.safety,
  'bench fault': undefined,
};

function verdicts(results: AllureResult[]): Map<string, AllureResult> {
  const byId = new Map<string, AllureResult>();
  for (const r of results) byId.set(r.testCaseId && !/^[0-9a-f]{32}$/.test(r.testCaseId) ? r.testCaseId : (label(r, 'requirement') ?? r.name), r);
  return byId;
}

describe('self-validation: every fault switch is caught by exactly its tests', function () {
  const catalogue = faultCatalogue().filter((f) => !ONLY || ONLY.includes(f.name));

  it('the catalogue is consistent: kebab-case names, a suite, at least one catching test', function () {
    for (const f of faultCatalogue()) {
      expect(f.name, f.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(f.catches.length, `${f.name} catches nothing`).to.be.greaterThan(0);
      expect(f.suite, f.name).to.be.a('string').and.not.empty;
    }
  });

  it('`mcs-hil faults` lists every switch, one per line, with the tests that catch it', function () {
    const r = mcsHil(['faults']);
    expect(r.status).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).to.equal(faultCatalogue().length);
    for (const f of faultCatalogue()) expect(lines.find((l) => l.startsWith(`${f.name}\t`)), f.name).to.contain(f.catches[0]);
  });

  for (const fault of catalogue) {
    it(`${fault.name}: fails exactly ${fault.catches.join(', ')} as ${fault.category}`, function () {
      const out = tmp(`mcs-sv-${fault.name}-`);
      const run = mcsHil(['run', '--bench', BENCH, '--suite', fault.suite, '--fault', fault.name, '--out', out]);
      const results = verdicts(allureResults(onlyRunDir(out)));
      const notPassed = [...results].filter(([, r]) => r.status !== 'passed' && r.status !== 'skipped').map(([id]) => id).sort();
      expect(notPassed, `run output:\n${run.stdout.slice(-3000)}`).to.deep.equal([...fault.catches].sort());
      for (const id of fault.catches) {
        const r = results.get(id)!;
        const tag = CATEGORY_TAG[fault.category];
        if (tag === undefined) expect(r.status, `${id} should be broken`).to.equal('broken');
        else {
          expect(r.status, `${id} should be failed`).to.equal('failed');
          expect(r.statusDetails?.message ?? '', id).to.satisfy((m: string) => m.startsWith(tag));
        }
      }
    });
  }
});
