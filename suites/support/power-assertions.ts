// The ramp and safety assertions as a chai plugin (`expect(trace).to.rampUpAtLeast(step)`), over the
// plain functions in current-assertions.ts and safety-assertions.ts. Each establishes its precondition
// from the trace first (power-trace.ts), then records its quantity with limit, clause and verified flag
// through measure(). Every number comes from the limit profile (or a bench-file deviation), never from here.

import * as chai from 'chai';
import { withUncertainty, type Uncertainty } from '../../reports/evidence.ts';
import {
  assertAccuracy,
  assertDownStep,
  assertOvershoot,
  assertPresentValues,
  assertRampUp,
  assertSettle,
  assertSiteCap,
} from './current-assertions.ts';
import { PowerTrace, type Step } from './power-trace.ts';
import {
  assertDischarge,
  assertInsulationStop,
  assertOverVoltageShutdown,
  assertPrecharge,
  assertStop,
  assertVoltageNeverAbove,
  type StopKind,
} from './safety-assertions.ts';

export * from './current-assertions.ts';
export * from './safety-assertions.ts';
export { PowerTrace };
export { derivedLimit, precondition, requireCurrentAt, requireSamples, type RequestPoint, type Step } from './power-trace.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      /** The harness's uncertainty on what the next assertion measures (e.g. analyser timestamp jitter). */
      withUncertainty(u: Uncertainty | undefined): Assertion;
      rampUpAtLeast(step: Step): Assertion;
      overshootAtMost(step: Step): Assertion;
      settleWithin(step: Step): Assertion;
      holdCurrentWithin(o: { requestA: number; fromS: number; toS: number }): Assertion;
      reportPresentWithin(readings: { tS: number; currentA: number; voltageV?: number }[]): Assertion;
      stepDownWithin(step: Step): Assertion;
      respectSiteCap(o: { capS: number; capW: number; fromA: number }): Assertion;
      stopWithin(o: { stopS: number; kind: StopKind; fromA?: number }): Assertion;
      prechargeWithin(o: { fromS: number; closeS: number; batteryV: number }): Assertion;
      neverExceedVoltage(o: { maxV: number; fromS?: number; toS?: number }): Assertion;
      shutDownOnOverVoltage(o: { maxV: number; fromS: number; outputOffS: number | undefined }): Assertion;
      dischargeWithin(o: { openS: number }): Assertion;
      stopOnInsulationFault(o: { faultS: number; fromA?: number }): Assertion;
    }
  }
}

// Each assertion takes its own option shape; chai hands the argument through untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const METHODS: Record<string, (tr: PowerTrace, arg: any) => unknown> = {
  rampUpAtLeast: assertRampUp,
  overshootAtMost: assertOvershoot,
  settleWithin: assertSettle,
  holdCurrentWithin: assertAccuracy,
  reportPresentWithin: assertPresentValues,
  stepDownWithin: assertDownStep,
  respectSiteCap: assertSiteCap,
  stopWithin: assertStop,
  prechargeWithin: assertPrecharge,
  neverExceedVoltage: assertVoltageNeverAbove,
  shutDownOnOverVoltage: assertOverVoltageShutdown,
  dischargeWithin: assertDischarge,
  stopOnInsulationFault: assertInsulationStop,
};

/** chai.use(powerAssertions) — each method expects a PowerTrace as the object under test. */
export function powerAssertions(c: Chai.ChaiStatic, utils: Chai.ChaiUtils): void {
  c.Assertion.addMethod('withUncertainty', function (this: Chai.AssertionStatic, u: Uncertainty | undefined) {
    utils.flag(this, 'uncertainty', u);
  });
  for (const [name, fn] of Object.entries(METHODS)) {
    c.Assertion.addMethod(name, function (this: Chai.AssertionStatic, arg: unknown) {
      const tr = this._obj as unknown;
      if (!(tr instanceof PowerTrace)) throw new TypeError(`${name}() needs a PowerTrace, got ${typeof tr}`);
      // measure() inside the assertion carries the uncertainty given by .withUncertainty(u), if any.
      withUncertainty(utils.flag(this, 'uncertainty') as Uncertainty | undefined, () => fn(tr, arg));
    });
  }
}

let installed = false;
/** Install the plugin once (suites call this at load time). */
export function usePowerAssertions(): void {
  if (installed) return;
  chai.use(powerAssertions);
  installed = true;
}
