// Instrument safety self-check: a battery emulator on this bench holds its output on while the harness
// reads its protection status. A protection that trips (over-voltage, sink over-current, the I/O watchdog)
// latches the output off with OUTP? unchanged — only the status registers show it — so a trip becomes a
// BenchFault naming the protection (broken: the bench cannot judge a charger with its battery cut off),
// after the bench went to its safe state.

import { Limits } from '../../drivers/core/limits.ts';
import { SCPI_BATTERY_EMULATOR_KIND, type Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { attachText, measure, requirement } from '../../reports/evidence.ts';

const benchLimits = Limits.load('bench');
const EPIC = 'mcs-hil bench';

describe('Bench instrument safety', function () {
  it('battery emulators hold their output on with the protection status read throughout', async function () {
    requirement('BENCH-INSTRUMENT-001', { epic: EPIC, feature: 'Instrument safety', severity: 'blocker' });
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
      await be.setOutput(true);
      const t0 = bench.clock.nowMs();
      while (bench.clock.nowMs() - t0 < holdMs && be.trips.length === trips0) await bench.clock.sleep(50);
      if (be.trips.length > trips0) {
        await be.tripHandled(); // the bench's safe state, started by the trip, has run
        throw be.trips[be.trips.length - 1];
      }
      await be.setOutput(false);
      measure(
        `${be.name}: protection status reads while the output was on`,
        be.statusReads - reads0,
        benchLimits.get('bench.instrument.statusReads'),
        {
          violation: 'safety',
        },
      );
    }
  });
});
