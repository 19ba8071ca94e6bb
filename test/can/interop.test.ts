// Interop with independent tools: python-can (Debian python3-can, its `socketcand` interface and its
// candump LogReader) and can-utils (log2asc). The tools are installed by scripts/install-can-tools.sh,
// which this suite runs first, so a fresh CI machine needs nothing by hand.

import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RealClock, waitFor } from '../../drivers/core/clock.ts';
import { canFrame, dataHex, type CanFrame } from '../../drivers/can/frame.ts';
import { SocketcandHub } from '../../drivers/can/socketcand-hub.ts';
import { SocketcandCan } from '../../drivers/can/socketcand-client.ts';
import { writeTraceFile } from '../../drivers/can/trace-files.ts';
import { formatAsc } from '../../drivers/can/trace-asc.ts';
import { SAMPLE_RECORDS } from './sample-records.ts';

const REPO = new URL('../../', import.meta.url).pathname;
// Debian's python3-can lives in the system interpreter, whatever `python3` a developer has first on PATH.
const PYTHON = '/usr/bin/python3';
const clock = new RealClock();

function py(script: string, args: string[] = []): string {
  return execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('CAN interop with python-can and can-utils', function () {
  before(function () {
    this.timeout(15 * 60_000);
    execFileSync('bash', [join(REPO, 'scripts/install-can-tools.sh')], { stdio: 'inherit', timeout: 15 * 60_000 });
  });

  it('python-can (socketcand interface) and our client exchange frames both ways through mcs-hil can hub', async function () {
    const hub = new SocketcandHub({ port: 0 });
    const { port } = await hub.listen();
    const ours = await SocketcandCan.open({ host: '127.0.0.1', port, bus: 'can0', clock });
    const fromPython: CanFrame[] = [];
    ours.onFrame((f) => fromPython.push(f));
    const script = `
import can, json, sys
bus = can.Bus(interface='socketcand', channel='can0', host='127.0.0.1', port=int(sys.argv[1]))
print('ready', flush=True)
got = []
while len(got) < 20:
    m = bus.recv(10)
    if m is None: break
    got.append({'id': m.arbitration_id, 'ext': m.is_extended_id, 'data': m.data.hex().upper()})
for i in range(20):
    ext = i % 2 == 0
    bus.send(can.Message(arbitration_id=(0x18000000 + i) if ext else (0x100 + i), is_extended_id=ext, data=bytes(range(i % 9))))
print(json.dumps(got), flush=True)
bus.shutdown()
`;
    const child = spawn(PYTHON, ['-c', script, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(await waitFor(clock, () => lines[0] === 'ready', 20_000), 'python-can connected').to.equal(true);
    await clock.sleep(50); // past the hub's rawmode grace
    const sent: CanFrame[] = [];
    for (let i = 0; i < 20; i++) {
      const f =
        i % 2 === 0
          ? canFrame(
              0x1826f400 + i,
              Array.from({ length: i % 9 }, (_, k) => k * 17),
            )
          : canFrame(0x200 + i, [i], { extended: false });
      sent.push(f);
      await ours.send(f);
      // python-can 4.1 mis-parses a message split across two of its 1024-byte reads; pace so each arrives alone
      await clock.sleep(3);
    }
    expect(await exited).to.equal(0);
    const got = JSON.parse(lines[1]) as { id: number; ext: boolean; data: string }[];
    expect(got.map((g) => [g.id, g.data])).to.deep.equal(sent.map((f) => [f.id, dataHex(f.data)]));
    // python-can ≥ 4.2 reads the id width; 4.1 marks every received frame extended
    expect(got.filter((_, i) => sent[i].extended).every((g) => g.ext)).to.equal(true);
    expect(await waitFor(clock, () => fromPython.length === 20, 5000)).to.equal(true);
    expect(fromPython.map((f) => [f.id, f.extended, f.data.length])).to.deep.equal(
      [...Array(20).keys()].map((i) => (i % 2 === 0 ? [0x18000000 + i, true, i % 9] : [0x100 + i, false, i % 9])),
    );
    expect(fromPython.every((f, i) => f.data.every((b, k) => b === k) && f.data.length === i % 9)).to.equal(true);
    await ours.close();
    await hub.close();
  });

  it('python-can LogReader reads our candump log frame for frame', function () {
    const file = join(mkdtempSync(join(tmpdir(), 'can-interop-')), 'run.log');
    writeTraceFile(file, SAMPLE_RECORDS);
    const out = py(
      `
import can, json, sys
rows = []
for m in can.LogReader(sys.argv[1]):
    rows.append({'t': round(m.timestamp * 1e6), 'ch': m.channel, 'id': m.arbitration_id, 'ext': m.is_extended_id, 'rtr': m.is_remote_frame,
                 'err': m.is_error_frame, 'fd': m.is_fd, 'brs': m.bitrate_switch, 'esi': m.error_state_indicator, 'dlc': m.dlc,
                 'data': bytes(m.data or b'').hex().upper()})
print(json.dumps(rows))
`,
      [file],
    );
    const rows = JSON.parse(out) as Record<string, unknown>[];
    expect(rows).to.have.length(SAMPLE_RECORDS.length);
    rows.forEach((row, i) => {
      const r = SAMPLE_RECORDS[i];
      const f = r.frame;
      expect(row.t, `frame ${i} time`).to.equal(r.epochUs);
      expect(row.err, `frame ${i} error`).to.equal(!!f.error);
      if (f.error) return;
      expect(row, `frame ${i}`).to.deep.include({
        ch: r.bus,
        id: f.id,
        ext: f.extended,
        rtr: !!f.rtr,
        fd: !!f.fd,
        brs: !!f.brs,
        esi: !!f.esi,
        dlc: f.data.length,
      });
      expect(row.data, `frame ${i} data`).to.equal(f.rtr ? '' : dataHex(f.data));
    });
  });

  it('can-utils log2asc converts our candump log, and agrees with our own ASC writer on classic frames', function () {
    const file = join(mkdtempSync(join(tmpdir(), 'can-interop-')), 'run.log');
    writeTraceFile(file, SAMPLE_RECORDS);
    const asc = execFileSync('log2asc', ['-I', file, 'can0', 'gbt'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    const lines = asc.split('\n');
    expect(lines[0]).to.match(/^date \w{3} Dec 26 03:08:47/);
    const body = lines.filter((l) => /^\s+\d+\.\d{6} /.test(l));
    expect(body).to.have.length(SAMPLE_RECORDS.length);
    const ours = new Set(formatAsc(SAMPLE_RECORDS).split('\n'));
    const classic = body.filter((l) => !/CANFD/.test(l));
    expect(classic).to.have.length(6);
    for (const l of classic) expect(ours.has(l), `log2asc line '${l}' also written by formatAsc`).to.equal(true);
    expect(body.filter((l) => /CANFD/.test(l))).to.have.length(2);
  });
});
