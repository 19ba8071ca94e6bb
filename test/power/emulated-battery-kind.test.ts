// The emulated battery's resource kind: 'emulated-battery' opens it; the old name 'emulated-battery-emulator'
// still opens it and says it is deprecated (timeline + console); it serves as the power analyser and a
// bench's charger control is found by what a resource offers, not by its kind.
import { expect } from 'chai';
import type { BenchConfig, OpenContext } from '../../benches/registry.ts';
import { resourceKind } from '../../benches/registry.ts';
import { chargerControlOf } from '../../drivers/core/charger-control.ts';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { isBatteryEmulator } from '../../drivers/scpi/battery-emulator.ts';
import { isPowerAnalyser } from '../../drivers/scpi/power-analyser.ts';
import '../../benches/kinds/emulated-battery.ts';
import { tmp } from '../foundation/helpers.ts';

function context(): OpenContext {
  const clock = new VirtualClock();
  const bench = { file: 'benches/old.yaml', vehicle: { profile: 'truck-lfp-620kwh' } } as unknown as BenchConfig;
  return { clock, timeline: new Timeline({ clock }), resources: new Map(), bench, faults: new Set(), runDir: tmp('mcs-battery-kind-') };
}

describe('emulated battery kind', function () {
  it("opens as 'emulated-battery': a battery emulator that is also the power analyser", async function () {
    const ctx = context();
    const r = await resourceKind('emulated-battery')!.open('battery', {}, ctx);
    expect(isBatteryEmulator(r)).to.equal(true);
    expect(isPowerAnalyser(r)).to.equal(true);
    expect(ctx.timeline.query({ kind: 'bench' })).to.deep.equal([]);
    await r.close();
  });

  it('still opens under the old kind name and reports it as deprecated on the timeline and the console', async function () {
    const ctx = context();
    const write = process.stderr.write;
    let said = '';
    process.stderr.write = ((s: string) => ((said += s), true)) as typeof process.stderr.write;
    try {
      const r = await resourceKind('emulated-battery-emulator')!.open('battery', {}, ctx);
      expect(r.kind).to.equal('emulated-battery');
      await r.close();
    } finally {
      process.stderr.write = write;
    }
    expect(said).to.match(/kind 'emulated-battery-emulator' is deprecated, use 'emulated-battery' \(benches\/old\.yaml\)/);
    const e = ctx.timeline.query({ kind: 'bench', source: 'battery' });
    expect(e.map((x) => x.data.event)).to.deep.equal(['deprecated kind']);
  });

  it('finds a charger control by what a resource offers', function () {
    const calls: string[] = [];
    const control = { setSitePowerCapW: (w: number | undefined) => calls.push(`cap ${w}`), stop: (r: string) => calls.push(r) };
    expect(chargerControlOf({ name: 'charger', chargerControl: control })).to.equal(control);
    expect(chargerControlOf({ name: 'charger' })).to.equal(undefined);
    expect(chargerControlOf({ chargerControl: { stop: () => undefined } })).to.equal(undefined);
  });
});
