// Instrument safety self-check: a battery emulator on this bench holds its output on while the harness
// reads its protection status. A protection that trips (over-voltage, sink over-current, the I/O watchdog)
// latches the output off with OUTP? unchanged — only the status registers show it — so a trip becomes a
// BenchFault naming the protection (broken: the bench cannot judge a charger with its battery cut off),
// after the bench went to its safe state. An output relay that never closed sets no status bit: the
// terminal voltage shows it.

import { BenchFault } from '../../drivers/core/errors.ts';
import { SCPI_BATTERY_EMULATOR_KIND, type Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { attachText, measure } from '../../reports/evidence.ts';
import { benchLimits, benchRequirement } from './support.ts';

describe('Bench instrument safety', function () {
  it('battery emulators hold their output on at the programmed voltage, the protection status read throughout', async function () {
    benchRequirement('BENCH-INSTRUMENT-001', 'Instrument safety', 'blocker');
    const { bench } = this;
    const units = bench.resourcesOfKind<Rp7900BatteryEmulator & { name: string; kind: string; close(): Promise<void> }>(
      SCPI_BATTERY_EMULATOR_KIND,
    );
    if (!units.length || !bench.config.safety.interlock) {
      attachText(
        'skipped',
        units.length
          ? 'closing a battery emulator output deliberately energises the inlet: only with safety.interlock: true'
          : 'no SCPI battery emulator on this bench',
      );
      this.skip();
    }
    const holdMs = benchLimits.num('bench.instrument.holdMs');
    for (const be of units) {
      const reads0 = be.statusReads;
      const trips0 = be.trips.length;
      const programmedV = await be.batteryVoltageV();
      await be.setOutput(true);
      const t0 = bench.clock.nowMs();
      while (bench.clock.nowMs() - t0 < holdMs && be.trips.length === trips0) await bench.clock.sleep(50);
      if (be.trips.length > trips0) {
        await be.tripHandled(); // the bench's safe state, started by the trip, has run
        throw be.trips[be.trips.length - 1];
      }
      const terminalV = (await be.read()).voltageV;
      await be.setOutput(false);
      // Precondition: the harness watched the status throughout (otherwise a trip could have gone unseen).
      const reads = be.statusReads - reads0;
      const least = benchLimits.get('bench.instrument.statusReads').lo!;
      if (reads < least)
        throw new BenchFault(`${be.name}: protection status read ${reads} times in ${holdMs} ms, at least ${least} needed`, be.name);
      // An output relay that never closed shows in no status bit: only at the terminals.
      const offPct = (Math.abs(terminalV - programmedV) / programmedV) * 100;
      measure(
        `${be.name}: terminal voltage off the programmed battery voltage while the output is on`,
        offPct,
        benchLimits.get('bench.instrument.terminalVoltagePct'),
        {
          violation: 'safety',
          note: `${terminalV.toFixed(1)} V at the terminals, ${programmedV.toFixed(1)} V programmed`,
        },
      );
    }
  });
});
