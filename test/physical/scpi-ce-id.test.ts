import { expect } from 'chai';
import { RealClock, VirtualClock } from '../../drivers/core/clock.ts';
import { BenchFault, InputError } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { PilotStateError, type CeState, type PilotChange } from '../../drivers/pilot/ce-id.ts';
import {
  PilotConfigError,
  PilotReadbackFault,
  ScpiCeIdPilot,
  parseIdReply,
  resolveCeCommand,
  sameScpiValue,
  type ScpiCeIdSettings,
} from '../../drivers/pilot/scpi-ce-id.ts';
import { ScpiReplyError } from '../../drivers/scpi/errors.ts';
import { TcpScpiTransport, TranscriptTransport, type TranscriptEntry } from '../../drivers/scpi/transport.ts';
import { startEmulatedDioServer, type EmulatedDioServer } from '../../emulator/pilot/scpi-dio-server.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../benches/kinds.ts';
import type { CeIdPilotResource } from '../../benches/kinds/emulated-ce-id.ts';
import { parseBench } from '../../benches/load.ts';
import { openBench } from '../../benches/open.ts';
import { resourceKind } from '../../benches/registry.ts';

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

function transcriptRig(entries: TranscriptEntry[], settings?: ScpiCeIdSettings) {
  const clock = new VirtualClock();
  const timeline = new Timeline({ clock });
  const transport = new TranscriptTransport(entries);
  const pilot = new ScpiCeIdPilot({ name: 'ev-pilot', transport, clock, timeline, settings });
  return { clock, timeline, transport, pilot };
}

const OPEN: TranscriptEntry[] = [
  ['*IDN?', 'Acme Lab,DIO-32,SN0042,2.1.0'],
  ['DIG:IN:PORT? 1', '1'],
  ['DIG:OUT:PORT? 1', '0'], // where the outputs stand: A
];

describe('scpi-ce-id pilot: the SCPI exchange', function () {
  it('derives the read-back of HEADER [selector,]value commands and compares replies by value', function () {
    expect(resolveCeCommand('C', 'DIG:OUT:PORT 1,4', 'w')).to.deep.equal({ command: 'DIG:OUT:PORT 1,4', query: 'DIG:OUT:PORT? 1', reply: '4' });
    expect(resolveCeCommand('B', 'ROUT:RELAY3 ON', 'w')).to.deep.equal({ command: 'ROUT:RELAY3 ON', query: 'ROUT:RELAY3?', reply: 'ON' });
    expect(resolveCeCommand('E', { command: 'ROUT:CLOS (@101);ROUT:OPEN (@102)', query: 'ROUT:CLOS? (@101)', reply: '1' }, 'w').query).to.equal('ROUT:CLOS? (@101)');
    expect(() => resolveCeCommand('A', '*RST', 'bench.yaml resources.pilot')).to.throw(PilotConfigError, /bench.yaml resources.pilot: CE state A: cannot derive the read-back of '\*RST'/);
    expect(() => resolveCeCommand('A', 'ROUT:CLOS (@101);ROUT:OPEN (@102)', 'w')).to.throw(PilotConfigError, /give query and reply/);
    for (const [e, a] of [['4', '+4'], ['4', '4.0'], ['4', '#H4'], ['ON', '1'], ['off', '0'], ['"ABC"', 'abc'], ['2', ' 2\r']]) expect(sameScpiValue(e, a), `${e} ~ ${a}`).to.equal(true);
    for (const [e, a] of [['4', '5'], ['ON', '0'], ['4', ''], ['4', 'four']]) expect(sameScpiValue(e, a), `${e} !~ ${a}`).to.equal(false);
  });

  it('reads ID from a bit of the input port or from two reply patterns', function () {
    expect(parseIdReply('1', {}, 'w')).to.equal('connected');
    expect(parseIdReply('+6', { bit: 1 }, 'w')).to.equal('connected');
    expect(parseIdReply('6', { bit: 0 }, 'w')).to.equal('not-connected');
    expect(parseIdReply('0', { activeLow: true }, 'w')).to.equal('connected');
    expect(parseIdReply('#H80', { bit: 7 }, 'w')).to.equal('connected');
    const patterns = { connected: '^(1|ON|INS)$', notConnected: '^(0|OFF)$' };
    expect(parseIdReply('INS', patterns, 'w')).to.equal('connected');
    expect(parseIdReply('OFF', patterns, 'w')).to.equal('not-connected');
  });

  it('plays the recorded exchange of a plug-in to charge to safe state sequence (one write and one read-back per CE step)', async function () {
    const { transport, pilot, timeline } = transcriptRig([
      ...OPEN,
      ['DIG:OUT:PORT 1,2', null],
      ['DIG:OUT:PORT? 1', '+2'],
      ['DIG:OUT:PORT 1,4', null],
      ['DIG:OUT:PORT? 1', '4'],
      // safeState: back to B (vehicle not ready): the charger must stop
      ['DIG:OUT:PORT 1,2', null],
      ['DIG:OUT:PORT? 1', '2'],
    ]);
    const seen: PilotChange[] = [];
    pilot.onChange((c) => seen.push(c));
    await pilot.open();
    expect(pilot.id()).to.equal('connected');
    expect(pilot.identity().pilot).to.equal('Acme Lab DIO-32 s/n SN0042 fw 2.1.0');
    await pilot.setCe('B');
    await pilot.setCe('C');
    expect(pilot.ce()).to.equal('C');
    await pilot.safeState();
    await pilot.safeState(); // idempotent: B is confirmed, nothing more is sent
    transport.assertConsumed();
    expect(pilot.ce()).to.equal('B');
    expect(seen.map((c) => `${c.signal}:${c.previous}->${c.state}`)).to.deep.equal(['CE:A->B', 'CE:B->C', 'CE:C->B']);
    const pilotEvents = timeline.query({ kind: 'pilot', source: 'ev-pilot' }).map((e) => e.data as Record<string, unknown>);
    expect(pilotEvents[0]).to.include({ signal: 'ID', state: 'connected', event: 'initial' });
    expect(pilotEvents[1]).to.include({ signal: 'CE', event: 'initial-outputs', state: 'A' });
    expect(pilotEvents.slice(2).map((d) => d.command)).to.deep.equal(['DIG:OUT:PORT 1,2', 'DIG:OUT:PORT 1,4', 'DIG:OUT:PORT 1,2']);
  });

  it('uses the lab’s own commands: relay box with explicit read-back, ID by pattern, initial state, pulseC', async function () {
    const settings: ScpiCeIdSettings = {
      ce: {
        A: { command: 'ROUT:OPEN (@101:104)', query: 'ROUT:CLOS:STAT?', reply: '0' },
        B: { command: 'ROUT:OPEN (@102:104);ROUT:CLOS (@101)', query: 'ROUT:CLOS:STAT?', reply: '1' },
        C: { command: 'ROUT:CLOS (@101,102)', query: 'ROUT:CLOS:STAT?', reply: '3' },
      },
      id: { query: 'SENS:ID?', connected: '^INS', notConnected: '^OUT' },
      initialCe: 'A',
      safeCe: 'A',
    };
    const { transport, pilot, clock } = transcriptRig(
      [
        ['*IDN?', 'Lab,Relay-8,1,1'],
        ['SENS:ID?', 'INSERTED'],
        ['ROUT:CLOS:STAT?', '1'], // outputs found in B (asked once: all states share the query)
        ['ROUT:OPEN (@101:104)', null],
        ['ROUT:CLOS:STAT?', '0'],
        ['ROUT:OPEN (@102:104);ROUT:CLOS (@101)', null],
        ['ROUT:CLOS:STAT?', '1'],
        ['ROUT:CLOS (@101,102)', null],
        ['ROUT:CLOS:STAT?', '3'],
        ['ROUT:OPEN (@102:104);ROUT:CLOS (@101)', null],
        ['ROUT:CLOS:STAT?', '1'],
        ['ROUT:OPEN (@101:104)', null],
        ['ROUT:CLOS:STAT?', '0'],
        ['SENS:ID?', 'OUT'],
      ],
      settings,
    );
    await pilot.open();
    expect(pilot.ce()).to.equal('A');
    await pilot.setCe('B');
    const pulse = pilot.pulseC(500);
    await clock.advance(500);
    await pulse;
    expect(pilot.requestedCe()).to.equal('B');
    await pilot.safeState();
    expect(await pilot.readId()).to.equal('not-connected');
    transport.assertConsumed();
    // E has no command on this box: a test asking for it gets a clear typed error, nothing is sent
    const e = await rejects(pilot.setCe('E'));
    expect(e).to.be.instanceOf(PilotStateError).and.instanceOf(InputError);
    expect(e.message).to.match(/CE state E has no command on this box \(bench setting ce\.E\)/);
    expect((await rejects(pilot.setCe('X' as CeState))).message).to.match(/unknown CE state 'X'/);
  });

  it('finds where a crashed run left the outputs, and the safe state undoes it', async function () {
    const leftInC = transcriptRig([OPEN[0], OPEN[1], ['DIG:OUT:PORT? 1', '4'], ['DIG:OUT:PORT 1,2', null], ['DIG:OUT:PORT? 1', '2']]);
    await leftInC.pilot.open();
    expect(leftInC.pilot.ce()).to.equal('C');
    await leftInC.pilot.safeState();
    leftInC.transport.assertConsumed();
    // Outputs matching no configured state: unknown, so the safe state drives B
    const unknown = transcriptRig([OPEN[0], OPEN[1], ['DIG:OUT:PORT? 1', '7'], ['DIG:OUT:PORT 1,2', null], ['DIG:OUT:PORT? 1', '2']]);
    await unknown.pilot.open();
    expect(unknown.timeline.query({ kind: 'pilot' }).map((e) => e.data.state)).to.include('unknown');
    await unknown.pilot.safeState();
    unknown.transport.assertConsumed();
    // Outputs in A (vehicle off the line): nothing to undo, nothing sent
    const inA = transcriptRig(OPEN);
    await inA.pilot.open();
    await inA.pilot.safeState();
    inA.transport.assertConsumed();
  });

  it('refuses unusable settings up front', function () {
    const mk = (settings: ScpiCeIdSettings) => () => transcriptRig([], settings);
    expect(mk({ ce: { A: 'DIG:OUT:PORT 1,0' } })).to.throw(PilotConfigError, /safeCe B has no command/);
    expect(mk({ ce: { A: 'DIG:OUT:PORT 1,0', B: 'DIG:OUT:PORT 1,2' }, initialCe: 'C' })).to.throw(PilotConfigError, /initialCe C has no command/);
    expect(mk({ id: { connected: '^1$' } })).to.throw(PilotConfigError, /needs both connected and notConnected/);
    expect(mk({ id: { connected: '([', notConnected: '0' } })).to.throw(PilotConfigError, /not a regular expression/);
  });

  it('a read-back that does not confirm the state is a bench fault, not a verdict', async function () {
    const { pilot, timeline } = transcriptRig([...OPEN, ['DIG:OUT:PORT 1,4', null], ['DIG:OUT:PORT? 1', '0']]);
    await pilot.open();
    const e = await rejects(pilot.setCe('C'));
    expect(e).to.be.instanceOf(PilotReadbackFault).and.instanceOf(BenchFault);
    expect(e.message).to.match(/CE C not confirmed: 'DIG:OUT:PORT\? 1' answered '0', expected '4'/);
    expect(e.message).to.not.match(/assert/i);
    expect(timeline.query({ kind: 'pilot' }).map((x) => (x.data as { event?: string }).event)).to.include('readback-mismatch');
  });

  it('a bad ID reply is a ScpiReplyError naming the box and the query', async function () {
    const garbage = transcriptRig([['*IDN?', 'Acme Lab,DIO-32,SN0042,2.1.0'], ['DIG:IN:PORT? 1', 'hello']]);
    const e1 = await rejects(garbage.pilot.open());
    expect(e1).to.be.instanceOf(ScpiReplyError).and.instanceOf(InputError);
    expect(e1.message).to.equal(`ev-pilot SCPI 'DIG:IN:PORT? 1': ID port reply is not a non-negative integer (reply "hello")`);
    const neither = transcriptRig([['*IDN?', 'a,b,c,d'], ['SENS:ID?', 'MAYBE']], { id: { query: 'SENS:ID?', connected: '^IN$', notConnected: '^OUT$' } });
    const e2 = await rejects(neither.pilot.open());
    expect(e2).to.be.instanceOf(ScpiReplyError);
    expect(e2.message).to.match(/matches neither ID pattern/);
    const noIdn = transcriptRig([['*IDN?', 'DIO']]);
    expect(await rejects(noIdn.pilot.open())).to.be.instanceOf(ScpiReplyError);
  });
});

describe('scpi-ce-id pilot against the emulated DIO box over loopback TCP', function () {
  let server: EmulatedDioServer;
  let pilot: ScpiCeIdPilot | undefined;
  let timeline: Timeline;
  const clock = new RealClock();

  async function connect(settings?: ScpiCeIdSettings): Promise<ScpiCeIdPilot> {
    timeline = new Timeline({ clock });
    const transport = await TcpScpiTransport.connect({ host: server.host, port: server.port, clock, timeline, source: 'ev-pilot', timeoutMs: 5000 });
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
    expect(seen.map((c) => `${c.previous}->${c.state} by ${c.by}`)).to.deep.equal(['A->B0 by charger', 'B0->B by vehicle', 'B->C by vehicle', 'C->EC by charger']);
    expect(timeline.query({ kind: 'pilot' }).filter((e) => e.data.signal === 'CE-request').map((e) => e.data.state)).to.deep.equal(['B', 'C']);
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
    const config = parseBench(benchText(`{ kind: scpi-ce-id, host: 127.0.0.1, port: ${server.port}, initialCe: A, pollMs: 0 }`), 'pilot.yaml');
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
    expect(err?.message).to.match(/^pilot\.yaml:7: 'resources\.pilot\.ce\.D' is not a known setting/);
    const config = parseBench(benchText(`{ kind: scpi-ce-id, host: 127.0.0.1, port: ${server.port}, ce: { A: "*RST", B: "DIG:OUT:PORT 1,2" } }`), 'pilot.yaml');
    const e = await rejects(openBench({ config, runDir: mkdtempSync(join(tmpdir(), 'mcs-pilot-')) }));
    expect(e).to.be.instanceOf(BenchFault);
    expect(e.message).to.match(/pilot\.yaml resources\.pilot: CE state A: cannot derive the read-back of '\*RST'/);
    expect(server.received).to.deep.equal([]); // refused before anything reached the box
    const kind = resourceKind('scpi-ce-id')!;
    const r = await kind.checkReachable!('pilot', { host: '127.0.0.1', port: server.port, ce: { A: '*RST', B: 'DIG:OUT:PORT 1,2' } }, config);
    expect(r).to.include({ ok: false });
    expect(r.fix).to.equal('fix resources.pilot in the bench file');
  });
});
