// Safe-state primitives shared by several resource kinds (the contract itself is SafeStatePrimitives in
// drivers/core/resource.ts; the order lives in benches/safe-state.ts).

import type { SafeStatePrimitives } from '../drivers/core/resource.ts';

/** The primitives of any battery emulator / power analyser: it measures the inlet current and has an output. */
export function batteryEmulatorPrimitives(be: { read(): Promise<{ currentA: number }>; shutdown(): Promise<void> }): SafeStatePrimitives {
  return {
    measuredCurrentA: async () => Math.abs((await be.read()).currentA),
    outputsOff: () => be.shutdown(),
  };
}
