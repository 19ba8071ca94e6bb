// SECC message performance times of DIN SPEC 70121 and ISO 15118-2 DC on the truck's CCS2 port: every response
// of a whole session (supportedAppProtocol … SessionStop) comes within the time its standard gives the charger
// for that message (V2G_SECC_Msg_Performance_Time, per message in the limit profile, else the profile's default).
// Judged from the vehicle's wire stamps: request sent → response received; the vehicle's own latency over the
// session is the uncertainty of each value (a value within it of the limit is inconclusive, never passed).

import type { Limit, Limits } from '../../drivers/core/limits.ts';
import { PROTOCOL_NAMES, type CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';
import { attachJson, measure, requirement } from '../../reports/evidence.ts';
import { fmt } from '../support/power-trace.ts';
import * as h from './handshake-support.ts';
import { MESSAGE_PERFORMANCE_IDS } from './session-ids.ts';

const CLAUSE: Record<CcsProtocol, string> = {
  din: 'DIN SPEC 70121:2014 9.6.2 Table 75 (V2G_SECC_Msg_Performance_Time)',
  iso2: 'ISO 15118-2:2014 [V2G2-536] Table 109 (V2G_SECC_Msg_Performance_Time)',
};

/** Long enough for a few CurrentDemand exchanges; the session then stops, welds-checks and ends. */
const CHARGE_MS = 1000;

/** The performance time of one response ('PowerDeliveryRes'): its own entry in the profile, else the default. */
export function performanceLimit(limits: Limits, response: string): Limit {
  const own = `secc.performanceTime.${response.replace(/Res$/, '')}`;
  return limits.get(limits.has(own) ? own : 'secc.performanceTime');
}

function messagePerformanceTest(protocol: CcsProtocol): void {
  const name = PROTOCOL_NAMES[protocol];
  it(`${name}: answers every request of the DC session within its SECC message performance time`, async function () {
    const meta = { feature: 'Performance times', clause: CLAUSE[protocol], severity: 'critical' } as const;
    const { bench } = this;
    h.requireDeclared(bench, this, protocol);
    requirement(MESSAGE_PERFORMANCE_IDS[protocol], { epic: h.EPIC, ...meta });
    const vehicle = h.ccsVehicleOf(bench, this);
    const run = await h.chargeRun(bench, vehicle, protocol, CHARGE_MS);
    const limits = vehicle.profiles[protocol];
    // The whole session ran: every message type of the flow was exchanged (a short session would judge too little).
    h.requireReached(run, 'SessionStopRes');
    const byMessage = new Map<string, number[]>();
    for (const m of run.messages)
      if (m.dir === 'rx' && m.responseMs !== undefined) byMessage.set(m.message, [...(byMessage.get(m.message) ?? []), m.responseMs]);
    attachJson('response times (ms) per message', Object.fromEntries(byMessage));
    const uncertainty = h.vehicleUncertainty(run, bench.clock.now());
    for (const [response, times] of byMessage) {
      const worst = Math.max(...times);
      measure(`${response} response time (worst)`, worst, performanceLimit(limits, response), {
        violation: 'timing',
        uncertainty,
        note: `worst of ${times.length}; median ${fmt([...times].sort((a, b) => a - b)[times.length >> 1], 1)} ms`,
      });
    }
  });
}

describe('DIN SPEC 70121 / ISO 15118-2 SECC message performance times (CCS2 port)', function () {
  messagePerformanceTest('din');
  messagePerformanceTest('iso2');
});
