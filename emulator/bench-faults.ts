// Fault switches of the bench itself (interlock, clock, resources), caught by suites/bench.

import type { FaultSwitch } from './fault-catalogue.ts';

export const BENCH_FAULTS: FaultSwitch[] = [
  {
    name: 'interlock-stuck-closed',
    description: 'the interlock relay ignores the open command (welded relay)',
    component: 'bench',
    suite: 'bench',
    catches: ['BENCH-SAFE-STATE-001'],
    checks: ["interlock '*' open after safe state", 'safe state reached, every step within its bound'],
    category: 'safety violation',
  },
  {
    name: 'resource-silent',
    description: 'the interlock never answers its readback',
    component: 'bench',
    suite: 'bench',
    // The safe state after that test cannot confirm the interlock either: the run aborts there.
    catches: ['BENCH-RESOURCES-001'],
    checks: [], // broken before any verdict: the readback never answers
    category: 'bench fault',
  },
  {
    name: 'clock-steps-back',
    description: 'the interlock stamps its readback 50 ms in the past (a resource with a broken time source)',
    component: 'bench',
    suite: 'bench',
    catches: ['BENCH-TIMELINE-001'],
    checks: ['timeline steps backwards'],
    category: 'timing violation',
  },
  {
    name: 'clock-drift',
    description: 'the bench clock runs 10 % faster than its configured rate',
    component: 'bench',
    suite: 'bench',
    catches: ['BENCH-CLOCK-001'],
    checks: ['clock rate error'],
    category: 'timing violation',
  },
  {
    name: 'safe-state-fails',
    description: 'the armed interlock opens but its driver never confirms the open command: the safe state overruns, the run aborts',
    component: 'bench',
    suite: 'bench',
    catches: ['BENCH-SAFE-STATE-001'],
    checks: ['safe state reached, every step within its bound'],
    category: 'safety violation',
  },
  {
    name: 'timeline-gap',
    description: "the bench's timeline loses a record: the interlock's resource-open never reaches the file",
    component: 'bench',
    suite: 'bench',
    catches: ['BENCH-TIMELINE-001'],
    checks: ['every resource-open is on disk'],
    category: 'protocol violation',
  },
  // Protections of the emulated RP7900-class instrument (emulator/instruments/power-instrument.ts), one second
  // after its output went on: the trip latches the output off with OUTP? unchanged, and the harness must see it
  // in the status registers within one poll, take the bench to its safe state and end the test broken, naming it.
  ...(
    [
      ['instrument-ov-trip', 'over-voltage protection', 'a voltage transient crosses its OV level'],
      ['instrument-sink-oc-trip', 'sink over-current protection', 'the charging current reaches its sink limit'],
      ['instrument-watchdog-trip', 'I/O watchdog', 'its I/O watchdog expires as if the harness had gone silent'],
    ] as const
  ).map(([name, what, how]): FaultSwitch => ({
    name,
    description: `the emulated SCPI battery emulator's ${what} trips: ${how}`,
    component: 'scpi',
    suite: 'bench',
    catches: ['BENCH-INSTRUMENT-001'],
    checks: [], // broken before any verdict: the trip is a bench fault naming the protection
    category: 'bench fault',
  })),
  {
    name: 'instrument-output-stays-open',
    description:
      "the emulated SCPI battery emulator's output relay never closes: OUTP? says on, no status bit is set, the terminals stay dead",
    component: 'scpi',
    suite: 'bench',
    catches: ['BENCH-INSTRUMENT-001'],
    checks: ['*: terminal voltage off the programmed battery voltage while the output is on'],
    category: 'safety violation',
  },
  {
    name: 'battery-contactors-welded',
    description:
      "the emulated battery's output (the vehicle contactors) is welded closed: " +
      'the inlet cannot leave the battery voltage during cable check and precharge',
    component: 'bench',
    suite: 'bench',
    catches: ['BENCH-SOURCE-FIGHT-001'],
    checks: ['inlet voltage departure from the battery voltage while the charger regulates voltage'],
    category: 'safety violation',
  },
];
