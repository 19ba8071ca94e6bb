// The one fixture of the ISO 15118-20 specs of this suite: per test, the bench's vehicle and its sessions, and
// the hooks that end them. After each test: SessionStop(Terminate) for every session it left open (a real
// charger would otherwise hold it), CE back to B, the TLS key logs written during the test attached.

import type { Bench } from '../../benches/bench.ts';
import type { EvccSession } from '../../drivers/iso15118/evcc/session.ts';
import type { Iso15118Vehicle } from '../../drivers/iso15118/evcc/vehicle.ts';
import { attachKeylogs, SEQ_CLAUSE, sessionWork, vehicleOf } from './handshake-support.ts';

type SessionOptions = Parameters<Iso15118Vehicle['openSession']>[0];

export interface V2gFixture {
  /** The running test's vehicle (a bench without one makes the test broken). */
  vehicle(): Iso15118Vehicle;
  /** A step-by-step session; the vehicle ends it after the test (SessionStop unless broken on purpose). */
  open(o?: SessionOptions): Promise<EvccSession>;
  /** A session walked through supportedAppProtocol … SessionSetup, where most error-handling tests start. */
  setUp(o?: SessionOptions): Promise<EvccSession>;
}

export function v2gFixture(): V2gFixture {
  let bench: Bench | undefined;
  let keylogMark = 0;
  beforeEach(function () {
    bench = this.bench;
    keylogMark = vehicleOf(this.bench).keylogFiles.length;
  });
  afterEach(async function () {
    const vehicle = vehicleOf(this.bench);
    await vehicle.endSessions(`end of test: ${this.currentTest?.title ?? '?'}`);
    await vehicle.pilot?.setCe('B');
    attachKeylogs(vehicle, keylogMark);
  });
  const vehicle = (): Iso15118Vehicle => {
    if (!bench) throw new Error('v2gFixture().vehicle() is only valid inside a test');
    return vehicleOf(bench);
  };
  return {
    vehicle,
    open: (o = {}) => vehicle().openSession(o),
    async setUp(o = {}) {
      const s = await vehicle().openSession(o);
      await sessionWork('session set up', SEQ_CLAUSE, () => s.runUntil('SessionSetup'));
      return s;
    },
  };
}
