// `mcs-hil judge --protocol iso15118-20`: per-test pcapngs the runner attached on the veth emulator bench
// (clean, and with faults wrong-response-code, slow-response, ignores-sequence-timeout, closes-early-after-stop;
// the timed ones at real time, so the capture's wall-clock stamps are the bench's) decrypt with their embedded
// key log, decode, and reproduce the live verdicts of the offline-decidable checks. Bad input gets a typed error.

import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../drivers/core/errors.ts';
import { writePcapng } from '../../drivers/iso15118/capture-pcapng.ts';
import { formatMessageLog } from '../../drivers/iso15118/evcc/record.ts';
import { readCapture } from '../../drivers/iso15118/pcapng-reader.ts';
import { v2gEventsFromCapture } from '../../drivers/iso15118/pcapng-reader-v2g.ts';
import { judgeIso15118Capture } from '../../reports/rejudge-iso15118.ts';
import type { MeasurementRecord } from '../../reports/evidence.ts';
import { offlineCheckFor } from '../../reports/rejudge.ts';
import { judgeCases, recordingCases } from '../../reports/rejudge-recording.ts';
import { ISO15118_20 } from '../../suites/support/iso15118-offline.ts';

const DIR = fileURLToPath(new URL('./recordings/iso15118-20/', import.meta.url));

interface LiveRecord {
  testCaseId: string;
  liveState: string;
  measurements: { name: string; outcome: string; value: unknown }[];
}
const live = JSON.parse(readFileSync(join(DIR, 'live-verdicts.json'), 'utf8')) as Record<string, LiveRecord>;

describe('judge: recorded ISO 15118-20 sessions (pcapng) re-judged offline', () => {
  for (const [name, rec] of Object.entries(live)) {
    it(`${name}: reproduces the live verdict of ${rec.testCaseId}`, async () => {
      const { events, notes } = await v2gEventsFromCapture(join(DIR, `${name}.pcapng`));
      expect(notes.join('\n')).to.match(/TLS 1\.3 TLS_AES_\d+_GCM_SHA\d+$/m);
      const mine = judgeCases(ISO15118_20, events).find((j) => j.testCaseId === rec.testCaseId)!;
      expect(mine.status, mine.reason).to.not.equal('skipped');
      let compared = 0;
      for (const m of rec.measurements) {
        const offline = mine.measurements.find((o) => o.name === m.name);
        // Live INCONCLUSIVE values carry the harness's latency, which a capture does not: nothing to match.
        if (!offline || m.outcome === 'INCONCLUSIVE') continue;
        expect(offline.outcome, `${m.name}: live ${m.value}, offline ${offline.measured_value}`).to.equal(m.outcome);
        compared++;
      }
      // A check the live test makes only on the way there (its probe after a closed connection) may have no offline value.
      expect(compared, 'checks compared').to.be.greaterThan(0);
      expect(mine.status).to.equal(rec.liveState === 'passed' ? 'passed' : 'failed');
    });
  }

  it('verify re-derives the live values of the good case and the response times from the V2G messages of a test window', async () => {
    for (const name of ['good-case-wrong-response-code', 'performance-time-slow-response']) {
      const rec = live[name];
      const { events } = await v2gEventsFromCapture(join(DIR, `${name}.pcapng`));
      const measurements = rec.measurements.map((m) => ({ name: m.name, t: Number.POSITIVE_INFINITY }) as MeasurementRecord);
      const derived = offlineCheckFor(rec.testCaseId)!.derive({ title: name, events, measurements });
      expect(derived.map((d) => d.name)).to.have.members(rec.measurements.map((m) => m.name));
      for (const d of derived) {
        const m = rec.measurements.find((x) => x.name === d.name)!;
        if (typeof d.value === 'boolean') expect(d.value ? 'PASS' : 'FAIL', d.name).to.equal(m.outcome);
        else expect(d.value, d.name).to.be.closeTo(Number(m.value), 50); // the wire's stamps vs the vehicle's clock
      }
    }
  });

  it('declares every MCS test case, and reports what a capture cannot show as not run with the reason', async () => {
    const cases = recordingCases(ISO15118_20);
    expect(cases.filter((c) => c.nature === 'offline').map((c) => c.testCaseId)).to.include.members([
      'TC_SECC_CMN_VTB_CommonMessageFlow_001',
      'TC_SECC_CMN_VTB_PerformanceTime_001',
      'TC_SECC_CMN_VTB_SequenceTimeout_001',
      'TC_SECC_CMN_VTB_SessionStop_CloseWait_001',
    ]);
    const { events } = await v2gEventsFromCapture(join(DIR, 'good-case-clean.pcapng'));
    const judged = judgeCases(ISO15118_20, events);
    for (const c of cases.filter((x) => x.nature === 'online'))
      expect(judged.find((j) => j.testCaseId === c.testCaseId)!.reason).to.match(/^not run: judged online only — ./);
    // Our vehicle closed first after SessionStop and never went silent: both timers unobservable, not passed.
    const reason = (id: string) => judged.find((j) => j.testCaseId === id)!.reason;
    expect(reason('TC_SECC_CMN_VTB_SessionStop_CloseWait_001')).to.match(/^not run: the vehicle closed the connection first/);
    expect(reason('TC_SECC_CMN_VTB_SequenceTimeout_001')).to.match(/^not run: the vehicle never went silent for V2G_SECC_Sequence_Timeout/);
  });

  it('writes a run folder with Allure results, the decrypted message log and the capture', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mcs-hil-judge-iso-'));
    try {
      const file = join(DIR, 'good-case-wrong-response-code.pcapng');
      const { events, notes } = await v2gEventsFromCapture(file);
      const r = judgeIso15118Capture({ protocol: ISO15118_20, file, out, events, notes, log: formatMessageLog(events) });
      expect(r.exitCode).to.equal(1);
      expect(r.lines.join('\n')).to.match(/FAIL +TC_SECC_CMN_VTB_CommonMessageFlow_001 .*supportedAppProtocolRes ResponseCode/);
      const files = readdirSync(join(r.runDir, 'allure-results'));
      expect(files.filter((f) => f.endsWith('-result.json'))).to.have.length(recordingCases(ISO15118_20).length);
      const log = files.filter((f) => f.endsWith('-attachment.log')).map((f) => readFileSync(join(r.runDir, 'allure-results', f), 'utf8'));
      expect(log[0]).to.match(/SessionStopRes/);
      expect(existsSync(join(r.runDir, 'recording.pcapng'))).to.equal(true);
      expect(JSON.parse(readFileSync(join(r.runDir, 'summary.json'), 'utf8')).failed).to.equal(1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('decrypts with a side key log (--keylog) when the pcapng has none embedded, and says when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-hil-judge-keylog-'));
    try {
      const cap = readCapture(new Uint8Array(readFileSync(join(DIR, 'good-case-clean.pcapng'))), 'good-case-clean');
      const bare = join(dir, 'bare.pcapng');
      const packets = cap.packets.map((p) => ({ tsUs: p.tNs / 1000, origLen: p.data.length, data: p.data }));
      writeFileSync(bare, writePcapng({ linkType: cap.packets[0].linkType, packets }));
      writeFileSync(join(dir, 'keys.log'), cap.keylog);
      await v2gEventsFromCapture(bare).then(
        () => expect.fail('a TLS capture without keys must not judge'),
        (e) =>
          expect(e)
            .to.be.instanceOf(InputError)
            .and.to.match(/no key log .*--keylog/),
      );
      const { events } = await v2gEventsFromCapture(bare, join(dir, 'keys.log'));
      expect(events.filter((e) => (e.data as { message?: string }).message === 'SessionStopRes')).to.have.length(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input: a file that is no capture is an input error; a capture cut short keeps the packets before the cut', () => {
    expect(() => readCapture(new TextEncoder().encode('not a capture at all, just text'), 'x.txt')).to.throw(InputError, /x\.txt/);
    const whole = new Uint8Array(readFileSync(join(DIR, 'good-case-clean.pcapng')));
    const all = readCapture(whole, 'whole').packets.length;
    const cut = readCapture(whole.subarray(0, whole.length - 30), 'cut').packets.length;
    expect(cut).to.equal(all - 1);
  });
});
