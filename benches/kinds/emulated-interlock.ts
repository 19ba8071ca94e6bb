// Bench kind 'emulated-interlock': the emulator's HV interlock loop with readback (emulator/interlock.ts).

import { EmulatedInterlock, type EmulatedInterlockSettings } from '../../emulator/interlock.ts';
import { registerResourceKind } from '../registry.ts';

registerResourceKind<EmulatedInterlockSettings>({
  kind: 'emulated-interlock',
  description: 'Emulated HV interlock / emergency-stop loop with readback',
  schema: {
    properties: {
      responseTimeoutMs: { type: 'number', exclusiveMinimum: 0, description: 'Readback deadline.' },
      latencyMs: { type: 'number', minimum: 0, description: 'Simulated readback latency.' },
    },
  },
  async open(name, config, ctx) {
    const settings = { responseTimeoutMs: config.responseTimeoutMs ?? 200, latencyMs: config.latencyMs ?? 2 };
    return new EmulatedInterlock(name, settings, ctx.clock, ctx.timeline, ctx.faults);
  },
});
