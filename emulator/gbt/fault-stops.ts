// The emulated GB/T charger's faulty ways of stopping its output (faults output-on-after-bst,
// slow-stop-after-bst, slow-stop-on-timeout). Each acts only while the charger is still in the state it
// began in: a later session's output is never touched.

import type { GbtNode } from '../../drivers/gbt27930/gbt-node.ts';
import type { GbtPowerStage } from './gbt-power-stage.ts';

/** How fast a slow stop ramps the request down (A/s), and how often it steps (ms). */
const SLOW_STOP_APS = 20;
const SLOW_STOP_STEP_MS = 50;

/** Stop the output only after `ms`. */
export function lateStop<S extends string>(node: GbtNode<S>, stage: GbtPowerStage, ms: number): void {
  const since = node.stateSinceNs;
  node.after(ms, () => node.stateSinceNs === since && stage.stop('charger'));
}

/** Ramp the current request down at 20 A/s instead of stopping, and stop the output once it is down. */
export function slowStop<S extends string>(node: GbtNode<S>, stage: GbtPowerStage, voltageV: number): void {
  let a = stage.present().currentA;
  const since = node.stateSinceNs;
  const t = node.repeat(SLOW_STOP_STEP_MS, () => {
    if (node.stateSinceNs !== since) return t.cancel();
    a = Math.max(0, a - SLOW_STOP_APS * (SLOW_STOP_STEP_MS / 1000));
    stage.request({ currentA: a, voltageV });
    if (a > 1) return;
    t.cancel();
    stage.stop('charger');
  });
}
