// Test helper: the vehicle's SLAC against the emulated EVSEs on the test veth pair (root only).

import { RealClock } from '../../drivers/core/clock.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { upTestVethPair } from '../support/veth-pair.ts';
import { openRawEthernet, type RawEthernetPort } from '../../drivers/plc/raw-ethernet.ts';
import { runSlacAsEv, type SlacOutcome } from '../../drivers/plc/slac-ev.ts';
import { EmulatedPlcLine } from '../../emulator/slac/plc-line.ts';

export const TEST_EV_IF = 'plc-tev0';
export const TEST_EVSE_IF = 'plc-tevse0';

export interface VethSlac {
  run(o?: { faults?: string[]; loseFirstParmAnswers?: boolean; rate?: number }): Promise<{ out: SlacOutcome; timeline: Timeline }>;
  /** Close both raw ports, then remove the pair if this helper created it. */
  close(): Promise<void>;
}

export async function openVethSlac(): Promise<VethSlac> {
  const pair = await upTestVethPair({ evInterface: TEST_EV_IF, chargerInterface: TEST_EVSE_IF });
  const ev: RawEthernetPort = openRawEthernet(TEST_EV_IF);
  const evse: RawEthernetPort = openRawEthernet(TEST_EVSE_IF);
  const limits = Limits.load('iso15118-3');
  return {
    async run({ faults = [], loseFirstParmAnswers = false, rate = 4 } = {}) {
      const clock = new RealClock(rate);
      const timeline = new Timeline({ clock });
      const line = new EmulatedPlcLine(evse, clock, { evseAttenuationDb: [24, 57, 63] }, new Set(faults));
      try {
        return { out: await runSlacAsEv({ port: ev, clock, timeline, source: 'plc', limits, loseFirstParmAnswers }), timeline };
      } finally {
        line.close();
      }
    },
    async close() {
      ev.close();
      evse.close();
      await pair.remove();
    },
  };
}
