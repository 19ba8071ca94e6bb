// The type of one emulator fault switch. Each emulated component lists its own faults in its own file;
// emulator/faults.ts gathers them into the catalogue `mcs-hil faults` prints and the
// self-validation test walks.

export interface FaultSwitch {
  /** kebab-case, unique across the catalogue (e.g. 'ramp-too-slow'). */
  name: string;
  /** What the emulator does wrong when it is on. */
  description: string;
  /** Which emulated component honours it. */
  component: 'mcs-charger' | 'ccs-charger' | 'gbt-charger' | 'power-stage' | 'bench' | 'scpi' | 'slac-responder' | 'cp-generator';
  /** The suite whose run must catch it (as `mcs-hil run --suite`). */
  suite: string;
  /** testCaseIds that must fail when it is on — exactly these, no others. */
  catches: string[];
  /**
   * The check (measurement / step) names that must fail in those tests: self-validation proves each one by
   * name, and `mcs-hil faults --unproven` lists every check no fault names. A name with values in it is
   * written as a pattern where `*` stands for any text (see checkNameMatches), e.g.
   * 'up-ramp slope 10–90 % (*)'. A 'bench fault' switch breaks its tests before any verdict: it may name none.
   */
  checks: string[];
  /** The Allure category the failure must land in. */
  category: 'protocol violation' | 'timing violation' | 'current-control violation' | 'safety violation' | 'bench fault';
  /**
   * Per-test category where a fault's tests legitimately end differently (e.g. a charger that never delivers
   * current: the ramp test fails, the stop test is broken because its loaded precondition never held).
   * A test not listed here ends in `category`.
   */
  outcomes?: Record<string, FaultSwitch['category']>;
}

/** Does a check (step) name match an entry of `checks`? `*` matches any text, everything else literally. */
export function checkNameMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`, 's').test(name);
}

/** The faults whose `checks` name this check. */
export function faultsNaming(faults: readonly FaultSwitch[], checkName: string): FaultSwitch[] {
  return faults.filter((f) => f.checks.some((p) => checkNameMatches(p, checkName)));
}
