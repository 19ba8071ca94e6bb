// The emulated CCS charger's control-pilot generator, written from IEC 61851-1 / ISO 15118-3: +12 V DC while
// nothing is connected (A1); once the vehicle's resistors show B (or C), the oscillator starts at 5 % duty,
// 1 kHz: digital communication required (a charger that only charges under ISO 15118 / DIN 70121); back to
// DC when the vehicle leaves (A). Fault switches bend the duty or the frequency it generates.

import type { Clock, TimerHandle } from '../../drivers/core/clock.ts';
import type { EmulatedCpLine } from '../../drivers/pilot/cp.ts';
import { CP_FAULT } from './cp-faults.ts';

/** The generator's own numbers (IEC 61851-1 Annex A; ISO 15118-3 5 % for high-level communication). */
const GENERATOR = { dutyPct: 5, frequencyHz: 1000, startAfterBMs: 100 } as const;

export class EmulatedCpEvse {
  private start: TimerHandle | undefined;
  private readonly off: () => void;

  constructor(
    private readonly line: EmulatedCpLine,
    private readonly clock: Clock,
    private readonly faults: ReadonlySet<string>,
  ) {
    line.setGenerator({ mode: 'dc' });
    this.off = line.onChange((r, by) => {
      if (by === 'vehicle') this.follow();
    });
    this.follow();
  }

  close(): void {
    this.start?.cancel();
    this.off();
  }

  private follow(): void {
    const connected = this.line.vehicle !== 'A';
    if (!connected) {
      this.start?.cancel();
      this.start = undefined;
      this.line.setGenerator({ mode: 'dc' });
      return;
    }
    if (this.start || this.line.reading().pwm) return;
    this.start = this.clock.setTimer(GENERATOR.startAfterBMs, () => {
      this.start = undefined;
      const dutyPct = this.faults.has(CP_FAULT.dutyNominal) ? 10 : GENERATOR.dutyPct;
      const frequencyHz = this.faults.has(CP_FAULT.frequencyOff) ? 1100 : GENERATOR.frequencyHz;
      this.line.setGenerator({ mode: 'pwm', dutyPct, frequencyHz });
    });
  }
}
