import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../benches/kinds.ts';
import { BenchFileError, loadBenchFile, parseBench } from '../../benches/load.ts';
import { benchSchema } from '../../benches/schema.ts';
import { mcsHil, ROOT } from './helpers.ts';

const GOOD = readFileSync(join(ROOT, 'test/fixtures/benches/minimal.yaml'), 'utf8');

function errorOf(text: string): BenchFileError {
  try {
    parseBench(text, 'bench.yaml');
  } catch (e) {
    expect(e).to.be.instanceOf(BenchFileError);
    return e as BenchFileError;
  }
  throw new Error('the bench file was accepted');
}

describe('bench files', function () {
  it('the shipped benches validate', function () {
    for (const f of ['benches/emulator.yaml', 'benches/lab-example.yaml', 'test/fixtures/benches/minimal.yaml']) {
      const b = loadBenchFile(join(ROOT, f));
      expect(b.name).to.be.a('string').and.not.empty;
    }
  });

  it('names the line, column and key of a misspelt setting, with the key it probably means', function () {
    const e = errorOf(GOOD.replace('safety: { interlock: true }', 'safety:\n  interlock: true\n  intrelock: false'));
    expect(e.line).to.equal(13);
    expect(e.col).to.equal(3);
    expect(e.key).to.equal('safety.intrelock');
    expect(e.message).to.equal("bench.yaml:13:3: 'safety.intrelock' is not a known setting here — did you mean 'interlock'?");
  });

  it('finds every problem in one pass, schema and cross-references alike', function () {
    const two = errorOf(
      GOOD.replace('maxCurrentA: 500', 'maxCurrentA: -5').replace('safety: { interlock: true }', 'safety: { interlok: true }'),
    );
    expect(two.problems.map((p) => p.key)).to.deep.equal(['charger.ratings.maxCurrentA', 'safety.interlok']);
    const refs = errorOf(
      GOOD.replace('profile: truck-lfp-620kwh', 'profile: no-such-truck').replace('profile: bench', 'profile: no-such-profile'),
    );
    expect(refs.problems.map((p) => [p.key, p.line])).to.deep.equal([
      ['vehicle.profile', 9],
      ['limits.profile', 10],
    ]);
    expect(refs.message.split('\n')).to.have.length(2);
  });

  it('names a missing required setting at its parent', function () {
    const e = errorOf(
      GOOD.replace(
        '  ratings: { maxVoltageV: 1000, maxCurrentA: 500, maxPowerW: 350000 }',
        '  ratings: { maxVoltageV: 1000, maxCurrentA: 500 }',
      ),
    );
    expect(e.key).to.equal('charger.ratings.maxPowerW');
    expect(e.line).to.equal(5);
  });

  it('rejects a value of the wrong type or range on its line', function () {
    const e = errorOf(GOOD.replace('maxCurrentA: 500', 'maxCurrentA: -5'));
    expect(e.line).to.equal(5);
    expect(e.message).to.contain('maxCurrentA');
  });

  it('rejects an unknown resource kind with the known ones', function () {
    const e = errorOf(GOOD.replace('kind: emulated-interlock', 'kind: flux-capacitor'));
    expect(e.line).to.equal(8);
    expect(e.message).to.match(/must be one of: .*emulated-interlock/);
  });

  it('rejects a setting of a resource kind that the kind does not have', function () {
    const e = errorOf(GOOD.replace('interlock: { kind: emulated-interlock }', 'interlock: { kind: emulated-interlock, latencyMS: 3 }'));
    expect(e.key).to.equal('resources.interlock.latencyMS');
  });

  it('rejects a missing vehicle or limit profile, and YAML syntax errors, with the line', function () {
    expect(errorOf(GOOD.replace('profile: truck-lfp-620kwh', 'profile: no-such-truck')).line).to.equal(9);
    expect(errorOf(GOOD.replace('profile: bench', 'profile: no-such-profile')).line).to.equal(10);
    const syntax = errorOf(GOOD.replace('name: minimal', 'name: [minimal'));
    expect(syntax.message).to.match(/YAML syntax/);
    expect(syntax.line).to.be.a('number');
  });

  it('the CLI prints a one-line error with file:line:col and exits 2', function () {
    const r = mcsHil(['validate', 'test/fixtures/benches/broken.yaml']);
    expect(r.status).to.equal(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^mcs-hil: test\/fixtures\/benches\/broken\.yaml:\d+:\d+: /);
  });

  it('the published JSON Schema is the one the registry generates', function () {
    const published = JSON.parse(readFileSync(join(ROOT, 'benches/bench.schema.json'), 'utf8'));
    expect(published, 'run: node bin/mcs-hil.mjs schema > benches/bench.schema.json').to.deep.equal(benchSchema());
  });
});
