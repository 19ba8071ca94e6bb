// `mcs-hil validate`: every problem of a bench file in one pass, each at its own file:line:col, a misspelt key
// named where it is written with the schema's closest key (and no "required but missing" echo of the same
// mistake), --json for tools, and bundled benches found from outside the checkout.
import { expect } from 'chai';
import { didYouMean, editDistance } from '../../benches/bench-problems.ts';
import { cli, TempDirs } from './cli.ts';

const TYPOS = 'test/cli/fixtures/typos.yaml';

describe('mcs-hil validate', function () {
  const tmp = new TempDirs();
  after(() => tmp.removeAll());

  it('lists every problem in one pass, each at its line:col, with did-you-mean for misspelt keys', function () {
    const r = cli(['validate', TYPOS]);
    expect(r.status).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.deep.equal([
      `mcs-hil: ${TYPOS}:4:33: 'charger.ratings.maxCurrentAmps' is not a known setting here — did you mean 'maxCurrentA'?`,
      `mcs-hil: ${TYPOS}:7:42: 'resources.interlock.responseTimeoutMS' is not a known setting here — did you mean 'responseTimeoutMs'?`,
      `mcs-hil: ${TYPOS}:9:1: 'limts' is not a known setting here — did you mean 'limits'?`,
      `mcs-hil: ${TYPOS}:10:22: 'safety.interlock' must be boolean`,
    ]);
  });

  it('--json gives the same problems as data; a valid file says valid', function () {
    const bad = cli(['validate', '--json', TYPOS]);
    expect(bad.status).to.equal(2);
    const doc = JSON.parse(bad.stdout) as { valid: boolean; problems: { key: string; line: number; col: number }[] };
    expect(doc.valid).to.equal(false);
    expect(doc.problems.map((p) => [p.key, p.line, p.col])).to.deep.equal([
      ['charger.ratings.maxCurrentAmps', 4, 33],
      ['resources.interlock.responseTimeoutMS', 7, 42],
      ['limts', 9, 1],
      ['safety.interlock', 10, 22],
    ]);
    const good = cli(['validate', '--json', 'benches/emulator.yaml']);
    expect(good.status).to.equal(0);
    expect(JSON.parse(good.stdout)).to.include({ valid: true, name: 'emulator' });
  });

  it('finds a bundled bench named from outside the checkout, and says so', function () {
    const r = cli(['validate', 'benches/lab-example.yaml'], { cwd: tmp.make('mcs-cli-elsewhere-') });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("valid bench 'lab-example'");
    expect(r.stderr).to.match(/benches\/lab-example\.yaml is not in .*; using the bundled .*benches\/lab-example\.yaml/);
  });

  it('did-you-mean: edit distance with transpositions, suffixed keys, nothing for a stranger', function () {
    expect(editDistance('limts', 'limits')).to.equal(1);
    expect(editDistance('intrelock', 'interlock')).to.equal(1);
    expect(didYouMean('maxCurrentAmps', ['maxVoltageV', 'maxCurrentA', 'maxPowerW'])).to.equal('maxCurrentA');
    expect(didYouMean('protocolz', ['identity', 'ratings', 'protocols'])).to.equal('protocols');
    expect(didYouMean('colour', ['identity', 'ratings', 'protocols'])).to.equal(undefined);
  });
});
