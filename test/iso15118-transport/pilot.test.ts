import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import {
  CE_STATES,
  EmulatedCeIdLine,
  EmulatedCeIdPilot,
  PilotStateError,
  releaseCeAfterOutputDisabled,
  resolveCe,
  type CeState,
  type ChargerCeGate,
  type PilotChange,
} from '../../drivers/pilot/ce-id.ts';

const limits = Limits.load('iso15118-20');

describe('CE/ID pilot (MCS)', function () {
  let clock: VirtualClock;
  let timeline: Timeline;
  let line: EmulatedCeIdLine;
  let pilot: EmulatedCeIdPilot;

  beforeEach(function () {
    clock = new VirtualClock();
    timeline = new Timeline({ clock });
    line = new EmulatedCeIdLine('ce-id', clock, timeline);
    pilot = new EmulatedCeIdPilot('ev-pilot', line, clock);
  });

  it('resolves the line state from the vehicle request and the charger gate', function () {
    const table: [CeState, ChargerCeGate, CeState][] = [
      ['A', 'hlc-disabled', 'A'],
      ['B', 'hlc-disabled', 'B0'],
      ['C', 'hlc-disabled', 'B0'],
      ['B', 'enabled', 'B'],
      ['C', 'enabled', 'C'],
      ['C', 'emergency', 'EC'],
      ['B', 'emergency', 'B0'],
      ['E', 'enabled', 'E'],
      ['A', 'emergency', 'A'],
    ];
    for (const [req, gate, want] of table) expect(resolveCe(req, gate), `${req} under ${gate}`).to.equal(want);
  });

  it('runs the MCS plug-in to charge sequence: A → B0 → B → C, with ID from the charger', async function () {
    const seen: PilotChange[] = [];
    pilot.onChange((c) => seen.push(c));
    expect(pilot.ce()).to.equal('A');
    expect(pilot.id()).to.equal('not-connected');
    line.setId('connected');
    await pilot.setCe('B');
    expect(pilot.ce()).to.equal('B0'); // the charger has not enabled HLC yet
    line.setChargerGate('enabled');
    expect(pilot.ce()).to.equal('B');
    await pilot.setCe('C');
    expect(pilot.ce()).to.equal('C');
    expect(seen.map((c) => `${c.signal}:${c.previous}->${c.state}:${c.by}`)).to.deep.equal([
      'ID:not-connected->connected:charger',
      'CE:A->B0:vehicle',
      'CE:B0->B:charger',
      'CE:B->C:vehicle',
    ]);
    const recorded = timeline
      .query({ kind: 'pilot' })
      .filter((e) => e.data.signal === 'CE')
      .map((e) => e.data.state);
    expect(recorded).to.deep.equal(['B0', 'B', 'C']);
  });

  it('shows EC when the charger trips from C, and records who caused it', async function () {
    line.setChargerGate('enabled');
    await pilot.setCe('C');
    line.setChargerGate('emergency');
    expect(pilot.ce()).to.equal('EC');
    expect(pilot.requestedCe()).to.equal('C');
    const last = timeline.query({ kind: 'pilot' }).at(-1)!.data;
    expect(last).to.deep.include({ signal: 'CE', state: 'EC', previous: 'C', by: 'charger', gate: 'emergency' });
  });

  it('records nothing when nothing changes, and rejects unknown states with a typed error', async function () {
    await pilot.setCe('A');
    expect(timeline.query({ kind: 'pilot' })).to.have.length(0);
    expect(() => line.setVehicleCe('D' as CeState)).to.throw(PilotStateError, /unknown CE state 'D'/);
    expect(CE_STATES).to.deep.equal(['A', 'B0', 'B', 'C', 'E', 'EC']);
  });

  it('pulses C for the given time on the clock, then returns to the previous request', async function () {
    line.setChargerGate('enabled');
    await pilot.setCe('B');
    const p = pilot.pulseC(500);
    expect(pilot.ce()).to.equal('C');
    await clock.advance(499);
    expect(pilot.ce()).to.equal('C');
    await clock.advance(1);
    await p;
    expect(pilot.ce()).to.equal('B');
  });

  describe('leaving C at the end of an MCS session', function () {
    beforeEach(async function () {
      line.setChargerGate('enabled');
      await pilot.setCe('C');
    });

    it('holds C until the charger has disabled its output, then goes to B', async function () {
      const disabledAt = 3000;
      const p = releaseCeAfterOutputDisabled(pilot, {
        clock,
        timeline,
        outputDisabled: () => clock.nowMs() >= disabledAt,
        maxHoldMs: limits.num('pilot.ceStopHoldMaxMs'),
      });
      await clock.advance(2990);
      expect(pilot.ce()).to.equal('C');
      await clock.advance(20);
      const r = await p;
      expect(r.reason).to.equal('output-disabled');
      expect(r.heldMs).to.equal(3000);
      expect(pilot.ce()).to.equal('B');
    });

    it('leaves C at the hold bound when the output is never disabled, and says so', async function () {
      const max = limits.num('pilot.ceStopHoldMaxMs');
      const p = releaseCeAfterOutputDisabled(pilot, { clock, timeline, outputDisabled: () => false, maxHoldMs: max });
      await clock.advance(max - 1);
      expect(pilot.ce()).to.equal('C');
      await clock.advance(1);
      const r = await p;
      expect(r).to.deep.equal({ reason: 'hold-timeout', heldMs: max });
      expect(pilot.ce()).to.equal('B');
      expect(timeline.query({ kind: 'pilot' }).find((e) => e.data.signal === 'CE-release')!.data).to.deep.include({
        reason: 'hold-timeout',
        heldMs: max,
      });
    });
  });
});
