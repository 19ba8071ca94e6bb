// Throughput of the ISO 15118-20 session engines, EVCC ↔ emulated SECC in one process (in-memory link,
// real clock, EXI codec): DC_ChargeLoop exchanges per second and the mean round trip. Prints ratios,
// asserts nothing: `node --import tsx perf/mcs-session.ts [exchanges]`.
import { RealClock } from '../drivers/core/clock.ts';
import { Limits } from '../drivers/core/limits.ts';
import { Timeline } from '../drivers/core/timeline.ts';
import { Iso15118Vehicle } from '../drivers/iso15118/evcc/vehicle.ts';
import { EmulatedMcsCharger } from '../emulator/mcs/charger.ts';

const n = Number(process.argv[2] ?? 2000);
const clock = new RealClock();
const timeline = new Timeline({ clock, memoryEvents: 10_000 });
const limits = Limits.load('iso15118-20');
const ratings = { maxVoltageV: 1250, minVoltageV: 150, maxCurrentA: 3000, maxPowerW: 3_750_000 };
const charger = await EmulatedMcsCharger.start(
  'charger',
  { link: 'memory', cableCheckMs: 0 },
  { clock, timeline, ratings, faults: new Set(), limits },
);
const ev = await Iso15118Vehicle.create('ev', { memory: 'charger' }, { clock, timeline, limits });
const s = await ev.openSession();
const t0 = clock.nowMs();
await s.runUntil('DC_CableCheck');
await s.preCharge();
await s.powerDelivery('Start');
const setupMs = clock.nowMs() - t0;
const t1 = clock.nowMs();
let sum = 0;
for (let i = 0; i < n; i++) sum += (await s.chargeLoopOnce({ currentA: 100 + (i % 50), voltageV: 850 })).responseMs ?? 0;
const loopMs = clock.nowMs() - t1;
console.log(`codec ${ev.codec.name}: session setup (SAP … PowerDelivery) ${setupMs.toFixed(1)} ms`);
console.log(
  `${n} DC_ChargeLoop exchanges in ${loopMs.toFixed(0)} ms: ${((n / loopMs) * 1000).toFixed(0)} exchanges/s, mean round trip ${(sum / n).toFixed(3)} ms`,
);
console.log(
  `headroom vs. the ${ev.timers.EVCC_ChargeLoop_Period} ms loop period: ${(ev.timers.EVCC_ChargeLoop_Period / (loopMs / n)).toFixed(0)}x`,
);
await s.sessionStop().catch(() => undefined);
await charger.close();
timeline.close();
