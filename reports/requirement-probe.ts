// A test's requirement id without running the test (runner/select-tests.ts: `--id`, and the "not run" results
// of a stopped run). Every spec declares its id with requirement() at the top of the body, at most after a few
// plain `const` look-ups (a limit from the profile); the body is called with requirement() throwing at once.
// A body whose first statements are anything else is never called: it could act on the bench.

/** Shared by every instance of this module (a spec may load it through require, the runner through import). */
const KEY = Symbol.for('mcs-hil.requirement-probe');
interface ProbeState {
  active: boolean;
  id?: string;
}
const state = ((globalThis as Record<symbol, unknown>)[KEY] ??= { active: false }) as ProbeState;

/** Thrown by requirement() while a probe is active: the body stops there. */
class RequirementProbe extends Error {}

/** Called first by requirement(): during a probe it records the id and stops the body. */
export function stopIfProbing(id: string): void {
  if (!state.active) return;
  state.id = id;
  throw new RequirementProbe(id);
}

export function probeRequirementId(fn: (...a: unknown[]) => unknown, thisArg: unknown): string | undefined {
  if (!startsWithRequirement(fn.toString())) return undefined;
  state.active = true;
  state.id = undefined;
  try {
    const r = fn.call(thisArg, () => undefined) as { catch?: (h: () => void) => void } | undefined;
    r?.catch?.(() => undefined); // an async body rejects with the probe
  } catch {
    /* the probe, or anything evaluating the arguments threw */
  } finally {
    state.active = false;
  }
  return state.id;
}

/** The body is `[const x = <no await, no this>;]* requirement(` (also as compiled: `(0, m.requirement)(`). */
export function startsWithRequirement(source: string): boolean {
  let body = source.slice(source.indexOf('{') + 1).replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  for (let m = /^(?:const|let)\s[^;]*;\s*/.exec(body); m; m = /^(?:const|let)\s[^;]*;\s*/.exec(body)) {
    if (/\bawait\b|\bthis\b|=>|\bfunction\b/.test(m[0])) return false;
    body = body.slice(m[0].length);
  }
  return /^(?:\(0,\s*)?[\w$.]*\brequirement\)?\(/.test(body);
}
