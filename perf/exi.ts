// EXI codec throughput on one core: encode + decode of DC_ChargeLoopReq / DC_ChargeLoopRes (the
// messages of the 50–250 ms charge loop), printed as messages per second; and the decode of a libcbv2g-style
// stream that needs the second (lenient) pass, against its EXI 1.0 form.
//   npx tsx perf/exi.ts [seconds-per-case]

import { readFileSync } from 'node:fs';
import { decodeExi, encodeExi, type ExiDocument } from '../drivers/exi/index.ts';

const seconds = Number(process.argv[2] ?? 1.5);
const R = (Value: number, Exponent = 0) => ({ Exponent, Value });
const header = { SessionID: 'A1B2C3D4E5F60718', TimeStamp: 1764000007 };

const cases: Array<{ name: string; doc: ExiDocument }> = [
  {
    name: 'DC_ChargeLoopReq (Scheduled, DisplayParameters)',
    doc: { DC_ChargeLoopReq: { Header: header, DisplayParameters: { PresentSOC: 42, TargetSOC: 80, ChargingComplete: false }, MeterInfoRequested: false, EVPresentVoltage: R(9875, -1),
      Scheduled_DC_CLReqControlMode: { EVTargetCurrent: R(3000), EVTargetVoltage: R(1000), EVMaximumChargePower: R(3750, 3) } } },
  },
  {
    name: 'DC_ChargeLoopRes (Scheduled, EVSEStatus)',
    doc: { DC_ChargeLoopRes: { Header: header, ResponseCode: 'OK', EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: 'ExitStandby' },
      EVSEPresentCurrent: R(2998), EVSEPresentVoltage: R(9870, -1), EVSEPowerLimitAchieved: false, EVSECurrentLimitAchieved: false, EVSEVoltageLimitAchieved: false,
      Scheduled_DC_CLResControlMode: { EVSEMaximumChargePower: R(3750, 3), EVSEMaximumChargeCurrent: R(3000), EVSEMaximumVoltage: R(1250) } } },
  },
];

function rate(fn: () => void): number {
  for (let i = 0; i < 20000; i++) fn(); // warm-up (JIT)
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  let now = t0;
  while (now < end) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - t0) / 1e9);
}

console.log(`EXI codec throughput, one core, ${seconds}s per measurement (Node ${process.version})`);
for (const c of cases) {
  const bytes = encodeExi('dc', c.doc);
  const enc = rate(() => encodeExi('dc', c.doc));
  const dec = rate(() => decodeExi('dc', bytes));
  const both = rate(() => decodeExi('dc', encodeExi('dc', c.doc)));
  const k = (x: number) => `${Math.round(x / 1000)}k/s`;
  console.log(`${c.name}: ${bytes.length} bytes | encode ${k(enc)} | decode ${k(dec)} | encode+decode ${k(both)} (target ≥ 200k/s)`);
}

// A full ServiceDiscoveryRes as libcbv2g writes it (strict pass fails, lenient pass reports) vs its EXI 1.0 form.
const fixture = new URL('../test/exi/fixtures/c-loop-deviations.json', import.meta.url);
const loop = (JSON.parse(readFileSync(fixture, 'utf8')) as { vectors: Array<{ id: string; cHex: string; strictHex: string }> }).vectors[0];
const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const cBytes = hex(loop.cHex);
const strictBytes = hex(loop.strictHex);
const k = (x: number) => `${Math.round(x / 1000)}k/s`;
console.log(`${loop.id}: decode EXI 1.0 form ${k(rate(() => decodeExi('cm', strictBytes)))} | libcbv2g form ${k(rate(() => decodeExi('cm', cBytes)))}`);
