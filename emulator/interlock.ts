// The emulated bench interlock: the HV interlock / emergency-stop loop every HV bench has. Tests may only
// energise the output while it is closed; the safe-state path opens it and reads it back. On a physical
// bench the same role is a relay + readback on the I/O device.

import type { Clock } from '../drivers/core/clock.ts';
import { BenchFault } from '../drivers/core/errors.ts';
import type { Timeline } from '../drivers/core/timeline.ts';
import type { Interlock, InterlockState, SafeStatePrimitives } from '../drivers/core/resource.ts';

export interface EmulatedInterlockSettings {
  /** How long a readback may take before the interlock counts as silent. */
  responseTimeoutMs?: number;
  /** Simulated readback latency. */
  latencyMs?: number;
}

export class EmulatedInterlock implements Interlock {
  readonly kind = 'emulated-interlock';
  private loop: InterlockState = 'open';
  private closedForGood = false;
  readonly safeStatePrimitives: SafeStatePrimitives = { openInterlock: () => this.openForSafeState() };

  constructor(
    readonly name: string,
    private readonly settings: Required<EmulatedInterlockSettings>,
    private readonly clock: Clock,
    private readonly timeline: Timeline,
    private readonly faults: ReadonlySet<string>,
  ) {}

  get state(): InterlockState {
    return this.loop;
  }

  async arm(): Promise<void> {
    this.set('closed');
  }

  async disarm(): Promise<void> {
    // Fault: the relay is welded, the command has no effect.
    if (!this.faults.has('interlock-stuck-closed')) this.set('open');
    else this.timeline.record('fault', this.name, { fault: 'interlock-stuck-closed', note: 'open command ignored' });
    const seen = await this.readBack();
    if (seen !== 'open') throw new BenchFault(`interlock '${this.name}' still reads ${seen} after the open command`, this.name);
  }

  async readBack(): Promise<InterlockState> {
    const latency = this.faults.has('resource-silent') ? this.settings.responseTimeoutMs * 2 : this.settings.latencyMs;
    if (latency > this.settings.responseTimeoutMs) {
      await this.clock.sleep(this.settings.responseTimeoutMs);
      throw new BenchFault(`interlock '${this.name}' did not answer its readback within ${this.settings.responseTimeoutMs} ms`, this.name);
    }
    await this.clock.sleep(latency);
    const t = this.faults.has('clock-steps-back') ? Math.max(0, this.clock.now() - 50e6) : undefined;
    this.timeline.record('instrument', this.name, { readback: this.loop }, t);
    return this.loop;
  }

  async safeState(): Promise<void> {
    if (this.closedForGood) return;
    await this.disarm();
  }

  private async openForSafeState(): Promise<void> {
    if (this.closedForGood) return;
    if (this.faults.has('safe-state-fails') && this.loop === 'closed') {
      // Fault: the relay opens but its driver never confirms the command: the strategy's bound runs out.
      this.set('open');
      this.timeline.record('fault', this.name, { fault: 'safe-state-fails', note: 'open command never confirmed' });
      return new Promise<void>(() => undefined);
    }
    await this.disarm();
  }

  async close(): Promise<void> {
    if (this.closedForGood) return;
    this.closedForGood = true;
    if (!this.faults.has('interlock-stuck-closed')) this.set('open');
  }

  identity(): Record<string, string> {
    return { model: 'emulated HV interlock loop' };
  }

  private set(s: InterlockState): void {
    if (this.loop === s) return;
    this.loop = s;
    this.timeline.record('instrument', this.name, { interlock: s });
  }
}
