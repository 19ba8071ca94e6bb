// The hooks a negative test uses to make the vehicle's BMS misbehave on purpose: stop sending a message,
// send wrong values, delay readiness, raise BEM. The session (bms-session.ts) extends this and applies
// them on the way out; unplugging or the safe state clears them all.

import type { Values } from './gbt-node.ts';
import type { BEM, GbtCode, GbtMessageMap } from './messages.ts';

export abstract class BmsMisbehaviour {
  protected readonly suppressed = new Set<GbtCode>();
  protected readonly overrides = new Map<GbtCode, Values>();
  protected broDelayOnceMs: number | undefined;
  protected bemValues: Partial<BEM> = {};

  /** Record what was done on the timeline (the session's 'misbehave' events). */
  protected abstract misbehaved(data: Values): void;
  /** Put BEM on the bus now and every period. */
  protected abstract startBem(): void;

  /** Stop sending one message (it is simply no longer put on the bus). */
  stopSending(code: GbtCode): void {
    this.suppressed.add(code);
    this.misbehaved({ stopSending: code });
  }

  resumeSending(code: GbtCode): void {
    this.suppressed.delete(code);
    this.misbehaved({ resumeSending: code });
  }

  /** Replace fields of a message from now on (e.g. a BCP whose max current exceeds what the charger offers). */
  override<K extends GbtCode>(code: K, values: Partial<GbtMessageMap[K]>): void {
    this.overrides.set(code, { ...(this.overrides.get(code) ?? {}), ...(values as Values) });
    this.misbehaved({ override: code, values });
  }

  clearOverrides(): void {
    this.overrides.clear();
  }

  /** For the next session only: keep BRO at 0x00 this long after CML (delays the charger's CRO). */
  delayBroReady(ms: number): void {
    this.broDelayOnceMs = ms;
    this.misbehaved({ broReadyDelayMs: ms });
  }

  /** Raise BEM with these bits (e.g. {ccsTimeout: 1}) while the charge loop keeps running: the charger's reaction to BEM alone. */
  sendBem(values: Partial<BEM>): void {
    this.bemValues = { ...this.bemValues, ...values };
    this.misbehaved({ bem: values });
    this.startBem();
  }

  /** Suppressed messages stay home; overridden fields replace ours. */
  protected applyMisbehaviour(code: GbtCode, values: Values): Values | undefined {
    if (this.suppressed.has(code)) return undefined;
    return { ...values, ...(this.overrides.get(code) ?? {}) };
  }

  protected clearMisbehaviour(): void {
    this.suppressed.clear();
    this.overrides.clear();
    this.broDelayOnceMs = undefined;
  }
}
