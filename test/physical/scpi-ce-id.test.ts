import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { BenchFault, InputError } from '../../drivers/core/errors.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { PilotStateError, type CeState, type PilotChange } from '../../drivers/pilot/ce-id.ts';
import { ScpiCeIdPilot, PilotReadbackFault } from '../../drivers/pilot/scpi-ce-id.ts';
import {
  PilotConfigError,
  parseIdReply,
  resolveCeCommand,
  sameScpiValue,
  type ScpiCeIdSettings,
} from '../../drivers/pilot/scpi-ce-id-protocol.ts';
import { ScpiReplyError } from '../../drivers/scpi/errors.ts';
import { TranscriptTransport, type TranscriptEntry } from '../../drivers/scpi/transport.ts';
import { rejects } from '../support/rejection.ts';

// The SCPI exchange of the CE/ID pilot, played against recorded transcripts; the same pilot against the
// emulated DIO box over TCP and as a bench resource is scpi-ce-id-box.test.ts.

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
    expect(resolveCeCommand('C', 'DIG:OUT:PORT 1,4', 'w')).to.deep.equal({
      command: 'DIG:OUT:PORT 1,4',
      query: 'DIG:OUT:PORT? 1',
      reply: '4',
    });
    expect(resolveCeCommand('B', 'ROUT:RELAY3 ON', 'w')).to.deep.equal({ command: 'ROUT:RELAY3 ON', query: 'ROUT:RELAY3?', reply: 'ON' });
    expect(
      resolveCeCommand('E', { command: 'ROUT:CLOS (@101);ROUT:OPEN (@102)', query: 'ROUT:CLOS? (@101)', reply: '1' }, 'w').query,
    ).to.equal('ROUT:CLOS? (@101)');
    expect(() => resolveCeCommand('A', '*RST', 'bench.yaml resources.pilot')).to.throw(
      PilotConfigError,
      /bench.yaml resources.pilot: CE state A: cannot derive the read-back of '\*RST'/,
    );
    expect(() => resolveCeCommand('A', 'ROUT:CLOS (@101);ROUT:OPEN (@102)', 'w')).to.throw(PilotConfigError, /give query and reply/);
    for (const [e, a] of [
      ['4', '+4'],
      ['4', '4.0'],
      ['4', '#H4'],
      ['ON', '1'],
      ['off', '0'],
      ['"ABC"', 'abc'],
      ['2', ' 2\r'],
    ])
      expect(sameScpiValue(e, a), `${e} ~ ${a}`).to.equal(true);
    for (const [e, a] of [
      ['4', '5'],
      ['ON', '0'],
      ['4', ''],
      ['4', 'four'],
    ])
      expect(sameScpiValue(e, a), `${e} !~ ${a}`).to.equal(false);
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
    expect(mk({ ce: { A: 'DIG:OUT:PORT 1,0', B: 'DIG:OUT:PORT 1,2' }, initialCe: 'C' })).to.throw(
      PilotConfigError,
      /initialCe C has no command/,
    );
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
    const garbage = transcriptRig([
      ['*IDN?', 'Acme Lab,DIO-32,SN0042,2.1.0'],
      ['DIG:IN:PORT? 1', 'hello'],
    ]);
    const e1 = await rejects(garbage.pilot.open());
    expect(e1).to.be.instanceOf(ScpiReplyError).and.instanceOf(InputError);
    expect(e1.message).to.equal(`ev-pilot SCPI 'DIG:IN:PORT? 1': ID port reply is not a non-negative integer (reply "hello")`);
    const neither = transcriptRig(
      [
        ['*IDN?', 'a,b,c,d'],
        ['SENS:ID?', 'MAYBE'],
      ],
      { id: { query: 'SENS:ID?', connected: '^IN$', notConnected: '^OUT$' } },
    );
    const e2 = await rejects(neither.pilot.open());
    expect(e2).to.be.instanceOf(ScpiReplyError);
    expect(e2.message).to.match(/matches neither ID pattern/);
    const noIdn = transcriptRig([['*IDN?', 'DIO']]);
    expect(await rejects(noIdn.pilot.open())).to.be.instanceOf(ScpiReplyError);
  });
});
