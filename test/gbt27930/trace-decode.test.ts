import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { candumpText } from '../../drivers/can/candump-recorder.ts';
import { UsageError } from '../../drivers/core/errors.ts';
import { TraceFormatError } from '../../drivers/can/trace-record.ts';
import { traceDecodeCommand } from '../../drivers/gbt27930/trace-decode.ts';
import { openRig } from './rig.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/emulated-session.log', import.meta.url));

describe('trace decode --protocol gbt27930', function () {
  it('prints a recorded session (our own bytes) in the standard phases, multi-packet messages reassembled', function () {
    const out = traceDecodeCommand({ protocol: 'gbt27930', file: FIXTURE });
    const headers = out
      .split('\n')
      .filter((l) => l.startsWith('== '))
      .map((l) => l.slice(3, -3));
    // Phases in the order they first appear (stop and statistics frames interleave at the end).
    expect([...new Set(headers)]).to.deep.equal(['handshake', 'recognition', 'configuration', 'charging', 'stop', 'statistics']);
    expect(out).to.match(/BMS→charger\s+BRM .*vin="LMCSHIL0000000001"/);
    expect(out).to.match(/BMS→charger\s+BCP .*maxChargeCurrentA=400/);
    expect(out).to.match(/charger→BMS\s+CRM .*recognition=0xAA/);
    expect(out).to.match(/BMS→charger\s+BCS .*measuredVoltageV=/);
    expect(out).to.match(/messages: .*BRM×1/);
  });

  it('decodes a live session from the timeline the same way (candump of the vehicle node)', async function () {
    const rig = await openRig({ profile: { optionalReports: true } });
    try {
      await rig.bms.startCharging();
      await rig.clock.sleep(11000); // one BMV/BMT/BSP period
      await rig.bms.stop();
      const dir = mkdtempSync(join(tmpdir(), 'gbt-decode-'));
      const file = join(dir, 'can.log');
      writeFileSync(file, candumpText(rig.timeline.query({ kind: 'can' }), { clock: rig.clock, sources: ['vehicle-can'] }));
      const out = traceDecodeCommand({ protocol: 'gbt27930', file });
      for (const code of [
        'CHM',
        'BHM',
        'CRM',
        'BRM',
        'BCP',
        'CTS',
        'CML',
        'BRO',
        'CRO',
        'BCL',
        'BCS',
        'CCS',
        'BSM',
        'BMV',
        'BMT',
        'BST',
        'CST',
        'BSD',
        'CSD',
      ])
        expect(out, code).to.match(new RegExp(`\\b${code}×\\d+`));
      expect(out).to.not.match(/UNDECODABLE/);
    } finally {
      await rig.close();
    }
  });

  it('reports undecodable payloads inline and keeps going', function () {
    const dir = mkdtempSync(join(tmpdir(), 'gbt-decode-'));
    const file = join(dir, 'bad.log');
    writeFileSync(
      file,
      ['(1.000000) can0 181056F4#A510', '(1.050000) can0 181056F4#A510D80E02', '(1.060000) can0 0070F4B5#0000B5'].join('\n') + '\n',
    );
    const out = traceDecodeCommand({ protocol: 'gbt27930', file });
    expect(out).to.match(/BCL\s+UNDECODABLE A510 \(.*BCL needs at least 5 bytes, got 2\)/);
    expect(out).to.match(/BCL\s+voltageDemandV=426.1 currentDemandA=20 mode=2/);
    expect(out).to.match(/1 foreign frames/);
  });

  it('rejects an unknown protocol and an unreadable file with typed errors', function () {
    expect(() => traceDecodeCommand({ protocol: 'chademo', file: FIXTURE })).to.throw(UsageError, /unknown protocol/);
    const dir = mkdtempSync(join(tmpdir(), 'gbt-decode-'));
    const file = join(dir, 'garbage.log');
    writeFileSync(file, 'this is not candump\n');
    expect(() => traceDecodeCommand({ protocol: 'gbt27930', file })).to.throw(TraceFormatError);
  });
});
