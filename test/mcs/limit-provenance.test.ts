// The public record of the ISO 15118-20 timing limits (issue 17): every timing limit says how well it is
// corroborated and where a reader can follow it, inside the repository; the loader refuses one that does not.

import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORROBORATION_LEVELS, LIMITS_DIR, LimitError, Limits } from '../../drivers/core/limits.ts';

describe('limit provenance (ISO 15118-20 timing)', () => {
  it('every -20 timing limit carries requirement, table, sources and a corroboration level', () => {
    const l = Limits.load('iso15118-20');
    const timing = Object.entries(l.profile.limits).filter(([, x]) => x.unit === 'ms' || x.unit === 's');
    expect(timing.length).to.be.greaterThan(20);
    for (const [name, x] of timing) {
      expect(CORROBORATION_LEVELS, name).to.include(x.corroborated);
      expect(x.requirement, name).to.be.a('string');
      expect(x.table, name).to.be.a('string');
      if (x.corroborated !== 'our-choice') expect(x.sources, name).to.not.be.empty;
    }
  });

  it('names the wrong clauses right: CommunicationSetup is Table 221 from TCP/TLS, CableCheck 40 s is not in Table 217', () => {
    const l = Limits.load('iso15118-20');
    expect(l.get('timer.V2G_EVCC_CommunicationSetup_Timeout').table).to.contain('Table 221');
    expect(l.get('timer.V2G_EVCC_CommunicationSetup_Timeout').clause).to.contain('TCP/TLS');
    expect(l.get('timer.V2G_EVCC_CableCheck_Timeout').table).to.equal('none');
    expect(l.get('secc.performanceTime.ServiceDetail').corroborated).to.equal('our-choice');
    expect(l.get('secc.closeAfterStopMinMs').lo).to.equal(5000);
  });

  it('no source in the profiles this issue owns points outside the repository', () => {
    for (const f of ['iso15118-20.yaml', 'iec61851-23-3.yaml']) {
      const text = readFileSync(join(LIMITS_DIR, f), 'utf8');
      expect(text, f).to.not.match(/source: "reference\/|\.\.\/shared/);
    }
    expect(readdirSync(LIMITS_DIR)).to.include('iso15118-20.yaml');
  });

  it('refuses a timing limit without a corroboration level, and a source outside the repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'limits-'));
    const head = 'title: t\ncorroboration: required-for-timing\nlimits:\n';
    writeFileSync(join(dir, 'a.yaml'), `${head}  x: { hi: 1, unit: ms, clause: c, source: s, verified: false }\n`);
    expect(() => Limits.load('a', dir)).to.throw(LimitError, /needs 'corroborated'/);
    const bad =
      '  x: { hi: 1, unit: ms, clause: c, source: "reference/x.md", verified: false, requirement: none, table: none, sources: [], corroborated: our-choice }\n';
    writeFileSync(join(dir, 'b.yaml'), head + bad);
    expect(() => Limits.load('b', dir)).to.throw(LimitError, /outside the repository/);
    const notFollowable =
      '  x: { hi: 1, unit: ms, clause: c, source: s, verified: false, requirement: none, table: none, sources: ["some notes"], corroborated: one-implementation }\n';
    writeFileSync(join(dir, 'c.yaml'), head + notFollowable);
    expect(() => Limits.load('c', dir)).to.throw(LimitError, /URLs or owner\/repo@commit/);
  });
});
