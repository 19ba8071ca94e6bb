// The safe-state strategy: it, not the resources, knows the order; each step is bounded and recorded; a
// failing or hung step fails the outcome but the later steps still run (the bench ends as safe as it can).
import { expect } from 'chai';
import '../../benches/kinds.ts';
import type { BenchConfig, Resource } from '../../benches/registry.ts';
import { resourceKind } from '../../benches/registry.ts';
import { SafeStateFailed, SafeStateStrategy } from '../../benches/safe-state.ts';
import type { Interlock } from '../../drivers/core/resource.ts';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';

const config = { name: 'strategy-test', safety: { interlock: true } } as unknown as BenchConfig;

/** A resource that only logs which primitive ran when: the order is the strategy's, not the resource's. */
function loggingResource(name: string, log: string[], o: { currentA?: number[]; hang?: string } = {}): Resource {
  const act = (what: string) => async () => {
    log.push(`${name}:${what}`);
    if (o.hang === what) await new Promise(() => undefined);
  };
  const readings = [...(o.currentA ?? [])];
  return {
    name,
    kind: 'test',
    close: async () => undefined,
    safeStatePrimitives: {
      requestZeroCurrent: act('request 0 A'),
      openContactors: act('contactors open'),
      releasePilot: act('pilot B'),
      outputsOff: act('outputs off'),
      ...(o.currentA ? { measuredCurrentA: async () => (log.push(`${name}:measure`), readings.shift() ?? 0) } : {}),
    },
  };
}

async function openInterlock(clock: VirtualClock, timeline: Timeline, faults: string[] = []): Promise<Interlock> {
  const ctx = { clock, timeline, faults: new Set(faults), resources: new Map(), bench: config, runDir: '.' };
  return (await resourceKind('emulated-interlock')!.open('interlock', {}, ctx)) as Interlock;
}

/** A virtual-clock bench with its interlock armed, and a log the logging resources write to. */
async function armedBench(): Promise<{ clock: VirtualClock; timeline: Timeline; log: string[]; interlock: Interlock }> {
  const clock = new VirtualClock({ autoAdvance: true });
  const timeline = new Timeline({ clock });
  const interlock = await openInterlock(clock, timeline);
  await interlock.arm();
  return { clock, timeline, log: [], interlock };
}

describe('safe-state strategy', function () {
  it('walks the order: 0 A, current below the stop current, contactors, pilot, outputs, interlock', async function () {
    const { clock, timeline, log, interlock } = await armedBench();
    const strategy = new SafeStateStrategy({ clock, timeline, config });
    // Open order: interlock, battery, vehicle; the strategy goes by step, not by resource.
    const resources = [interlock, loggingResource('battery', log, { currentA: [300, 40, 2] }), loggingResource('vehicle', log)];
    const outcome = await strategy.run(resources, 'test');
    expect(outcome.ok, JSON.stringify(outcome.failure)).to.equal(true);
    expect(log).to.deep.equal([
      'vehicle:request 0 A',
      'battery:request 0 A',
      'battery:measure',
      'battery:measure',
      'battery:measure',
      'vehicle:contactors open',
      'battery:contactors open',
      'vehicle:pilot B',
      'battery:pilot B',
      'vehicle:outputs off',
      'battery:outputs off',
    ]);
    expect(interlock.state).to.equal('open');
    expect(outcome.steps.map((s) => `${s.resource}:${s.phase}`).at(-1)).to.equal('interlock:interlock-open');
    const recorded = timeline.query({ kind: 'safe-state' }).map((e) => e.data.event);
    expect(recorded[0]).to.equal('begin');
    expect(recorded.at(-1)).to.equal('end');
    expect(recorded.filter((e) => e === 'reached')).to.have.length(outcome.steps.length);
  });

  it('bounds every step by its limit: a hung primitive fails the outcome, the later steps still run', async function () {
    const { clock, timeline, log, interlock } = await armedBench();
    const hanging = loggingResource('vehicle', log, { hang: 'contactors open' });
    const outcome = await new SafeStateStrategy({ clock, timeline, config }).run([interlock, hanging], 'test');
    const limitMs = Limits.load('bench').num('bench.safeState.contactorsOpenMs');
    expect(outcome.ok).to.equal(false);
    expect(outcome.failure).to.include({ resource: 'vehicle', phase: 'contactors-open', error: `no result within ${limitMs} ms` });
    expect(log).to.include.members(['vehicle:pilot B', 'vehicle:outputs off']);
    expect(interlock.state).to.equal('open');
    expect(new SafeStateFailed(outcome).message).to.match(/resource 'vehicle', step 'vehicle contactors open': no result within/);
  });

  it('a current that does not fall below the stop current within its bound fails the safe state', async function () {
    const clock = new VirtualClock({ autoAdvance: true });
    const timeline = new Timeline({ clock });
    const stuck = loggingResource('battery', [], { currentA: Array(10_000).fill(250) });
    const outcome = await new SafeStateStrategy({ clock, timeline, config }).run([stuck], 'test');
    expect(outcome.failure).to.include({ resource: 'battery', phase: 'current-below-stop' });
  });

  it('fault safe-state-fails: the armed interlock opens but is never confirmed, so the step overruns', async function () {
    const clock = new VirtualClock({ autoAdvance: true });
    const timeline = new Timeline({ clock });
    const interlock = await openInterlock(clock, timeline, ['safe-state-fails']);
    const strategy = new SafeStateStrategy({ clock, timeline, config });
    expect((await strategy.run([interlock], 'not armed: nothing to open')).ok).to.equal(true);
    await interlock.arm();
    const outcome = await strategy.run([interlock], 'armed');
    expect(outcome.failure).to.include({ resource: 'interlock', phase: 'interlock-open' });
    expect(await interlock.readBack()).to.equal('open');
  });
});
