// SCPI program headers as programming guides write them: 'VOLTage' accepts VOLT and VOLTAGE (any case),
// '[SOURce:]' and '[:LEVel]' nodes may be left out, a trailing '?' makes it a query. An emulated
// instrument declares its commands in this form, copied from its guide's command reference, so it
// accepts exactly what the real unit accepts — and answers anything else with -113 Undefined header.

export interface HeaderMatcher {
  readonly pattern: string;
  readonly query: boolean;
  matches(header: string): boolean;
}

function keyword(k: string): string {
  if (k.startsWith('*')) return k.replace(/[*?]/g, (c) => `\\${c}`).toUpperCase();
  const short = k.replace(/[a-z]/g, '');
  const long = k.toUpperCase();
  return short === long ? long : `(?:${short}|${long})`;
}

/** Compile a guide-form header ('[SOURce:]VOLTage:PROTection[:LEVel]', 'FETCh:ELOG?'). */
export function header(pattern: string): HeaderMatcher {
  const query = pattern.endsWith('?');
  const body = query ? pattern.slice(0, -1) : pattern;
  let re = '';
  let first = true;
  for (const m of body.matchAll(/\[([^\]]+)\]|([^:[\]]+)/g)) {
    const optional = m[1] !== undefined;
    const kw = keyword((m[1] ?? m[2]).replace(/:/g, ''));
    if (optional && first) re += `(?:${kw}:)?`;
    else if (optional) re += `(?::${kw})?`;
    else {
      re += (first ? '' : ':') + kw;
      first = false;
    }
  }
  const rx = new RegExp(`^:?${re}${query ? '\\?' : ''}$`, 'i');
  return { pattern, query, matches: (h) => rx.test(h) };
}

/** One program unit of a line: its header, its argument text, and whether it is a query. */
export interface ProgramUnit {
  text: string;
  head: string;
  arg: string;
  query: boolean;
}

/**
 * Run a program line (units separated by ';') through `one`: the replies to its queries, in order. A test
 * hook may replace a reply (return undefined to keep it).
 */
export function runProgramLine(
  line: string,
  one: (u: ProgramUnit) => string | undefined,
  hook?: (command: string, reply: string) => string | undefined,
): string[] {
  const out: string[] = [];
  for (const part of line.split(';')) {
    const text = part.trim();
    if (!text) continue;
    const [head, ...rest] = text.split(/\s+/);
    const reply = one({ text, head, arg: rest.join(' ').trim(), query: head.endsWith('?') });
    if (reply !== undefined) out.push(hook?.(text, reply) ?? reply);
  }
  return out;
}

/** The IEEE 488.2 common commands: every emulated unit answers them the same way, ahead of its own table. */
export type CommonAction = 'idn' | 'cls' | 'rst' | 'opc';
const COMMON_COMMANDS: [string, CommonAction][] = [
  ['*IDN?', 'idn'],
  ['*CLS', 'cls'],
  ['*RST', 'rst'],
  ['*OPC?', 'opc'],
];

export interface Command<A extends string> {
  matcher: HeaderMatcher;
  action: A;
}

/** A unit's command list from its guide's [header, action] pairs, after the common commands. */
export function commandTable<A extends string>(entries: [string, A][]): Command<A | CommonAction>[] {
  return [...COMMON_COMMANDS, ...entries].map(([pattern, action]) => ({ matcher: header(pattern), action }));
}
