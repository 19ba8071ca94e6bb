import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../benches/kinds.ts';
import type { CeIdPilotResource } from '../../benches/kinds/emulated-ce-id.ts';
import { parseBench } from '../../benches/load.ts';
import { openBench } from '../../benches/open.ts';
import { resourceKind } from '../../benches/registry.ts';
import { RealClock } from '../../drivers/core/clock.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import type { CeState, PilotChange } from '../../drivers/pilot/ce-id.ts';
import { PilotReadbackFault, ScpiCeIdPilot } from '../../drivers/pilot/scpi-ce-id.ts';
import type { ScpiCeIdSettings } from '../../drivers/pilot/scpi-ce-id-protocol.ts';
import { ScpiReplyError } from '../../drivers/scpi/errors.ts';
import { TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import { startEmulatedDioServer, type EmulatedDioServer } from '../../emulator/pilot/scpi-dio-server.ts';
import { rejects } from '../support/rejection.ts';

// The CE/ID pilot against the emulated DIO box over loopback TCP, and opened from a bench file; its SCPI
// exchange against recorded transcripts is scpi-ce-id.test.ts.

describe('scpi-ce-id pilot against the emulated DIO box over loopback TCP', function () {
  let server: EmulatedDioServer;
  let pilot: ScpiCeIdPilot | undefined;
  let timeline: Timeline;
  const clock = new RealClock();

  async function connect(settings?: ScpiCeIdSettings): Promise<ScpiCeIdPilot> {
    timeline = new Timeline({ clock });
    const transport = await TcpScpiTransport.connect({
      host: server.host,
      port: server.port,
      clock,
      timeline,
      source: 'ev-pilot',
      timeoutMs: 5000,
    });
    pilot = new ScpiCeIdPilot({ name: 'ev-pilot', transport, clock, timeline, settings });
    return pilot;
  }

  beforeEach(async function () {
    server = await startEmulatedDioServer({ port: 0 });
  });
  afterEach(async function () {
    await pilot?.close();
    pilot = undefined;
    await server.close();
  });

  it('switches every CE state with the default DIO commands, each written and read back', async function () {
    const p = await connect();
    await p.open();
    for (const s of ['A', 'B0', 'B', 'C', 'E', 'EC', 'B'] as CeState[]) {
      await p.setCe(s);
      expect(p.ce()).to.equal(s);
    }
    expect(server.settings.get('DIG:OUT:PORT 1')).to.equal('2');
    expect(server.received).to.deep.equal([
      '*IDN?',
      'DIG:IN:PORT? 1',
      'DIG:OUT:PORT? 1',
      ...['0', '1', '2', '4', '8', '16', '2'].flatMap((bits) => [`DIG:OUT:PORT 1,${bits}`, 'DIG:OUT:PORT? 1']),
    ]);
    // the transport put every exchange on the timeline too
    const out = timeline.query({ kind: 'instrument', source: 'ev-pilot' }).filter((e) => (e.data as { dir: string }).dir === 'out');
    expect(out.length).to.equal(server.received.length);
  });

  it('sees an unplug through the ID poll', async function () {
    const p = await connect({ pollMs: 10 });
    await p.open();
    expect(p.id()).to.equal('connected');
    const unplugged = new Promise<PilotChange>((resolve) => p.onChange((c) => c.signal === 'ID' && resolve(c)));
    server.setInput(1, 0);
    const c = await unplugged;
    expect(c).to.include({ signal: 'ID', state: 'not-connected', previous: 'connected', by: 'charger' });
    expect(p.id()).to.equal('not-connected');
  });

  it('a box whose outputs do not switch fails the write with PilotReadbackFault; safeState still tries and says why', async function () {
    const p = await connect();
    await p.open();
    await p.setCe('B');
    server.stuckOutputs = true;
    const e = await rejects(p.setCe('C'));
    expect(e).to.be.instanceOf(PilotReadbackFault);
    expect(e.message).to.match(/'DIG:OUT:PORT\? 1' answered '2', expected '4'/);
    expect(p.ce()).to.equal('C'); // unknown: what was asked for, not a confirmed state
    server.stuckOutputs = false;
    await p.safeState(); // the box works again: back to B
    expect(server.settings.get('DIG:OUT:PORT 1')).to.equal('2');
  });

  const ceSense = { query: 'DIG:IN:PORT? 2', states: { A: '^0$', B0: '^1$', B: '^2$', C: '^4$', E: '^8$', EC: '^16$' } };

  it('with CE sense, sees the charger gate CE (B0 until HLC is enabled, EC when it opens its switch)', async function () {
    server.setInput(2, 0);
    const p = await connect({ ceSense, pollMs: 0 });
    await p.open();
    const seen: PilotChange[] = [];
    p.onChange((c) => c.signal === 'CE' && seen.push(c));
    server.setInput(2, 1); // the charger holds B0: HLC not enabled yet
    await p.setCe('B');
    expect(p.requestedCe()).to.equal('B');
    expect(p.ce()).to.equal('B0');
    server.setInput(2, 2); // the charger enables HLC
    expect(await p.readCe()).to.equal('B');
    server.setInput(2, 4);
    await p.setCe('C');
    server.setInput(2, 16); // the charger opens its switch
    expect(await p.readCe()).to.equal('EC');
    expect(seen.map((c) => `${c.previous}->${c.state} by ${c.by}`)).to.deep.equal([
      'A->B0 by charger',
      'B0->B by vehicle',
      'B->C by vehicle',
      'C->EC by charger',
    ]);
    expect(
      timeline
        .query({ kind: 'pilot' })
        .filter((e) => e.data.signal === 'CE-request')
        .map((e) => e.data.state),
    ).to.deep.equal(['B', 'C']);
  });

  it('with CE sense, the poll sees a charger-side CE change on its own', async function () {
    server.setInput(2, 0);
    const p = await connect({ ceSense, pollMs: 10 });
    await p.open();
    const tripped = new Promise<PilotChange>((resolve) => p.onChange((c) => c.state === 'EC' && resolve(c)));
    server.setInput(2, 16);
    expect(await tripped).to.include({ signal: 'CE', previous: 'A', state: 'EC', by: 'charger' });
    expect(p.ce()).to.equal('EC');
  });

  it('a CE sense reply matching no state, or several, is a ScpiReplyError', async function () {
    const p = await connect({ ceSense: { query: 'DIG:IN:PORT? 2', states: { A: '^0$', B: '^[0-9]$', C: '^4$' } } });
    server.setInput(2, 0);
    const e1 = await rejects(p.open());
    expect(e1).to.be.instanceOf(ScpiReplyError);
    expect(e1.message).to.match(/matches several states \(A, B\)/);
    server.setInput(2, 77);
    const e2 = await rejects(p.readCe());
    expect(e2.message).to.match(/matches no configured CE state \(reply "77"\)/);
  });

  it('a malformed reply on the wire is a ScpiReplyError, and the next exchange still works', async function () {
    const p = await connect();
    await p.open();
    server.replyHook = (cmd) => (cmd === 'DIG:IN:PORT? 1' ? '1,2,oops' : undefined);
    const e = await rejects(p.readId());
    expect(e).to.be.instanceOf(ScpiReplyError);
    expect((e as ScpiReplyError).reply).to.equal('1,2,oops');
    server.replyHook = undefined;
    await p.setCe('B');
    expect(await p.readId()).to.equal('connected');
  });
});

describe('scpi-ce-id as a bench resource', function () {
  let server: EmulatedDioServer;
  beforeEach(async function () {
    server = await startEmulatedDioServer({ port: 0 });
  });
  afterEach(async function () {
    await server.close();
  });

  const benchText = (pilot: string) => `name: pilot-only
clock: { kind: real }
charger:
  ratings: { maxVoltageV: 1000, maxCurrentA: 500, maxPowerW: 350000 }
  protocols: [iso15118-20-mcs]
resources:
  pilot: ${pilot}
vehicle: { profile: truck-lfp-620kwh }
limits: { profile: iec61851-23-3 }
safety: { interlock: false }
`;

  it('opens from a bench file, sets the initial CE, and the bench safe-state path drives CE to B', async function () {
    const config = parseBench(
      benchText(`{ kind: scpi-ce-id, host: 127.0.0.1, port: ${server.port}, initialCe: A, pollMs: 0 }`),
      'pilot.yaml',
    );
    const bench = await openBench({ config, runDir: mkdtempSync(join(tmpdir(), 'mcs-pilot-')) });
    try {
      const pilot = bench.resource<CeIdPilotResource>('pilot');
      expect(pilot.kind).to.equal('scpi-ce-id');
      expect(pilot.id()).to.equal('connected');
      expect(server.settings.get('DIG:OUT:PORT 1')).to.equal('0');
      await pilot.setCe('C');
      expect(server.settings.get('DIG:OUT:PORT 1')).to.equal('4');
      await bench.safeState('test');
      expect(server.settings.get('DIG:OUT:PORT 1')).to.equal('2');
      expect(pilot.ce()).to.equal('B');
    } finally {
      await bench.close('test');
    }
  });

  it('refuses a misspelt state in the bench file, and a command without a derivable read-back when it opens', async function () {
    let err: Error | undefined;
    try {
      parseBench(benchText(`{ kind: scpi-ce-id, host: 127.0.0.1, ce: { D: "DIG:OUT:PORT 1,3" } }`), 'pilot.yaml');
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/^pilot\.yaml:7(:\d+)?: 'resources\.pilot\.ce\.D' is not a known setting/);
    const config = parseBench(
      benchText(`{ kind: scpi-ce-id, host: 127.0.0.1, port: ${server.port}, ce: { A: "*RST", B: "DIG:OUT:PORT 1,2" } }`),
      'pilot.yaml',
    );
    const e = await rejects(openBench({ config, runDir: mkdtempSync(join(tmpdir(), 'mcs-pilot-')) }));
    expect(e).to.be.instanceOf(BenchFault);
    expect(e.message).to.match(/pilot\.yaml resources\.pilot: CE state A: cannot derive the read-back of '\*RST'/);
    expect(server.received).to.deep.equal([]); // refused before anything reached the box
    const kind = resourceKind('scpi-ce-id')!;
    const r = await kind.checkReachable!(
      'pilot',
      { host: '127.0.0.1', port: server.port, ce: { A: '*RST', B: 'DIG:OUT:PORT 1,2' } },
      config,
    );
    expect(r).to.include({ ok: false });
    expect(r.fix).to.equal('fix resources.pilot in the bench file');
  });
});
