// Fault switches of the emulated CCS charger's control-pilot generator (emulator/pilot/cp-evse.ts), proven on
// the virtual bench like the other CCS2 faults (its control pilot is an in-process line, as on the real-socket bench).

import type { FaultSwitch } from '../fault-catalogue.ts';

export const CP_FAULT = { dutyNominal: 'cp-duty-not-digital-communication', frequencyOff: 'cp-frequency-off' } as const;

const CP = 'CCS2-CP-001';

export const CP_FAULTS: FaultSwitch[] = [
  {
    name: CP_FAULT.dutyNominal,
    description: 'the charger signals 10 % duty (basic charging, 6 A) instead of 5 % (digital communication required)',
    component: 'cp-generator',
    suite: 'ccs2',
    catches: [CP],
    category: 'protocol violation',
    checks: ['CP duty cycle in state B'],
  },
  {
    name: CP_FAULT.frequencyOff,
    description: 'the CP oscillator runs at 1100 Hz instead of 1 kHz',
    component: 'cp-generator',
    suite: 'ccs2',
    catches: [CP],
    category: 'protocol violation',
    checks: ['CP frequency in state B'],
  },
];
