// `mcs-hil judge --protocol gbt27930`: candump recordings of the emulator's GB/T sessions (clean, and with
// faults cml-before-bcp, ccs-period-wrong, ignores-bcs-timeout) judged offline reproduce the live verdicts
// of the offline-decidable checks; what needs the live session is reported as not run.

import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../../drivers/core/errors.ts';
import { judgeRecordingFile } from '../../reports/rejudge-recording-file.ts';
import { judgeCases, recordingCases } from '../../reports/rejudge-recording.ts';
import { gbtEventsFromRecording, requireGbt } from '../../suites/support/gbt27930-recording.ts';
import { RECORDINGS } from './synthetic-run.ts';

interface LiveRecord {
  testCaseId: string;
  liveState: string;
  measurements: { name: string; outcome: string; value: unknown }[];
}

const live = JSON.parse(readFileSync(join(RECORDINGS, 'live-verdicts.json'), 'utf8')) as Record<string, LiveRecord>;
/** A period's name carries its interval count, which depends on how long the recording runs on: compare by message. */
const key = (name: string) => name.replace(/ \(mean of \d+\)$/, '');

describe('judge: recorded GB/T sessions re-judged offline', () => {
  for (const [name, rec] of Object.entries(live)) {
    it(`${name}: reproduces the live verdict of ${rec.testCaseId}`, () => {
      const judged = judgeCases('gbt27930', gbtEventsFromRecording(join(RECORDINGS, `${name}.log`)));
      const mine = judged.find((j) => j.testCaseId === rec.testCaseId)!;
      expect(mine.status, mine.reason).to.not.equal('skipped');
      let compared = 0;
      for (const m of rec.measurements) {
        const offline = mine.measurements.find((o) => key(o.name) === key(m.name));
        // Online-only values (e.g. "the session reaches the charging phase") and live INCONCLUSIVE ones
        // (the harness's latency, which a recording does not carry) have no offline verdict to match.
        if (!offline || m.outcome === 'INCONCLUSIVE') continue;
        expect(offline.outcome, `${m.name}: live ${m.value}, offline ${offline.measured_value}`).to.equal(m.outcome);
        compared++;
      }
      expect(compared, 'checks compared').to.be.greaterThan(0);
      const liveInconclusive = rec.measurements.some((m) => m.outcome === 'INCONCLUSIVE');
      if (!liveInconclusive) expect(mine.status).to.equal(rec.liveState === 'passed' ? 'passed' : 'failed');
    });
  }

  it('declares every GB/T test case, offline or online, and runs none of the online ones', () => {
    const cases = recordingCases('gbt27930');
    expect(cases.map((c) => c.testCaseId)).to.include.members([
      'GBT27930-SEQ-001',
      'GBT27930-PERIOD-001',
      'GBT27930-CURR-001',
      'GBT27930-TO-BCL-001',
    ]);
    const judged = judgeCases('gbt27930', gbtEventsFromRecording(join(RECORDINGS, 'seq-clean.log')));
    for (const c of cases.filter((x) => x.nature === 'online')) {
      expect(judged.find((j) => j.testCaseId === c.testCaseId)!.reason).to.match(/^not run: judged online only/);
    }
    // A clean sequence recording holds no withheld message: the timeout cases are not run, never failed.
    expect(judged.find((j) => j.testCaseId === 'GBT27930-TO-BCS-001')!.status).to.equal('skipped');
  });

  it('writes a run folder with Allure results, the timeline and a summary', () => {
    const out = mkdtempSync(join(tmpdir(), 'mcs-hil-judge-'));
    try {
      const file = join(RECORDINGS, 'seq-cml-before-bcp.log');
      const r = judgeRecordingFile({ protocol: 'gbt27930', file, out, events: gbtEventsFromRecording(file) });
      expect(r.exitCode).to.equal(1);
      expect(r.lines.join('\n')).to.match(/FAIL +GBT27930-SEQ-001 .*BCP precedes CML/);
      const results = readdirSync(join(r.runDir, 'allure-results')).filter((f) => f.endsWith('-result.json'));
      expect(results).to.have.length(recordingCases('gbt27930').length);
      const seqResult = results
        .map((f) => JSON.parse(readFileSync(join(r.runDir, 'allure-results', f), 'utf8')))
        .find((x) => x.testCaseId === 'GBT27930-SEQ-001');
      expect(seqResult.status).to.equal('failed');
      expect(seqResult.steps.map((s: { name: string }) => s.name).join('\n')).to.match(/BCP precedes CML: .*FAIL/);
      expect(existsSync(join(r.runDir, 'timeline.jsonl'))).to.equal(true);
      expect(JSON.parse(readFileSync(join(r.runDir, 'summary.json'), 'utf8')).failed).to.equal(1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('bad input: an unknown protocol is a usage error, a file without GB/T messages an input error', () => {
    expect(() => requireGbt('chademo')).to.throw(UsageError, /unknown protocol/);
    const dir = mkdtempSync(join(tmpdir(), 'mcs-hil-judge-bad-'));
    try {
      const empty = join(dir, 'other.log');
      writeFileSync(empty, '(1.000000) can0 123#00\n');
      expect(() => gbtEventsFromRecording(empty)).to.throw(InputError, /no GB\/T 27930 message/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
