// The emulated SECC's answer to a DC_ChargeLoopReq: the EV's target (Scheduled) or maximum (Dynamic) goes to
// the power stage, capped by the charger's ratings and power; the response reports what the stage delivers
// and which limit it hit. Fault dynamic-loop-answered-scheduled answers a Dynamic request with the Scheduled part.

import { fromRational, toRational } from '../../drivers/iso15118/evcc/messages.ts';
import type { PowerStagePort } from './power-port.ts';
import { chargeLoopControlMode, clamp, round1, type SeccRatings } from './secc-responses.ts';

/** The response content, or why the request cannot be served (the session then answers FAILED). */
export function chargeLoopAnswer(
  body: Record<string, any>,
  r: SeccRatings,
  power: PowerStagePort,
  faults: ReadonlySet<string>,
): { content: Record<string, unknown> } | { error: string } {
  const sched = body.Scheduled_DC_CLReqControlMode;
  const dyn = body.Dynamic_DC_CLReqControlMode;
  if (!sched && !dyn) return { error: 'no known control mode in DC_ChargeLoopReq' };
  const targetA = fromRational(sched ? sched.EVTargetCurrent : dyn.EVMaximumChargeCurrent);
  const targetV = fromRational(sched ? sched.EVTargetVoltage : dyn.EVMaximumVoltage);
  const vForPower = Math.max(1, power.present().voltageV || targetV);
  const powerCapA = r.maxPowerW / vForPower;
  const limitA = Math.min(r.maxCurrentA, powerCapA);
  const currentA = clamp(Number.isFinite(targetA) ? targetA : 0, 0, limitA);
  power.request({ currentA, voltageV: clamp(targetV, 0, r.maxVoltageV) });
  const present = power.present();
  const content: Record<string, unknown> = {
    ResponseCode: 'OK',
    EVSEPresentCurrent: toRational(round1(present.currentA)),
    EVSEPresentVoltage: toRational(round1(present.voltageV)),
    EVSEPowerLimitAchieved: targetA > powerCapA && powerCapA < r.maxCurrentA,
    EVSECurrentLimitAchieved: targetA > r.maxCurrentA,
    EVSEVoltageLimitAchieved: targetV > r.maxVoltageV,
  };
  const mode = sched || faults.has('dynamic-loop-answered-scheduled') ? 'Scheduled' : 'Dynamic';
  // Dynamic mode tells the vehicle the limits in force now (site cap, derating); fault advertised-limits-frozen: the ratings.
  const now = faults.has('advertised-limits-frozen') ? undefined : power.limits?.();
  const advertised = now
    ? { ...r, maxCurrentA: Math.min(r.maxCurrentA, now.maxCurrentA), maxPowerW: Math.min(r.maxPowerW, now.maxPowerW) }
    : r;
  Object.assign(content, chargeLoopControlMode(mode, advertised));
  return { content };
}
