// The type of one emulator fault switch. Each emulated component lists its own faults in its own file;
// emulator/faults.ts gathers them into the catalogue `mcs-hil faults` prints and the
// self-validation test walks.

export interface FaultSwitch {
  /** kebab-case, unique across the catalogue (e.g. 'ramp-too-slow'). */
  name: string;
  /** What the emulator does wrong when it is on. */
  description: string;
  /** Which emulated component honours it. */
  component: 'mcs-charger' | 'gbt-charger' | 'power-stage' | 'bench' | 'scpi';
  /** The suite whose run must catch it (as `mcs-hil run --suite`). */
  suite: string;
  /** testCaseIds that must fail when it is on — exactly these, no others. */
  catches: string[];
  /** The Allure category the failure must land in. */
  category: 'protocol violation' | 'timing violation' | 'current-control violation' | 'safety violation' | 'bench fault';
}
