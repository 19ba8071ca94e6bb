// How a SCPI CE/ID box is spoken to: the bench settings that say which command puts CE in each state and
// how ID (and, optionally, CE) read back, their check when the bench opens, and the reading of the box's
// replies. No volts here: the lab wires its box to the circuit (see scpi-ce-id.ts); this is the SCPI side.

import { InputError } from '../core/errors.ts';
import { ScpiReplyError } from '../scpi/errors.ts';
import { CE_STATES, isCeState, type CeState, type IdState } from './ce-id.ts';

/** One CE state's command; its read-back is derived from it unless `query` / `reply` are given. */
export type CeCommandSpec = string | { command: string; query?: string; reply?: string };

/** How ID is read: an integer port with one bit, or two reply patterns. */
export interface IdSpec {
  query?: string;
  /** Bit of the integer reply that is set when the connector is inserted (bit mode, the default). */
  bit?: number;
  /** The bit reads 0 when inserted. */
  activeLow?: boolean;
  /** Pattern mode: regular expressions for the two replies; a reply matching neither is refused. */
  connected?: string;
  notConnected?: string;
}

/**
 * Optional: the box also measures CE (comparator inputs) and so sees what the charger does to it (B0 until
 * it enables HLC, EC when it opens its switch). Each state is a regular expression over the query's reply;
 * a reply matching no state, or several, is refused.
 */
export interface CeSenseSpec {
  query: string;
  states: Partial<Record<CeState, string>>;
}

export interface ScpiCeIdSettings {
  /** State → command. States left out cannot be set (a test asking for one gets a PilotStateError). */
  ce?: Partial<Record<CeState, CeCommandSpec>>;
  id?: IdSpec;
  /** CE as measured on the line; without it ce() is the state the box last confirmed switching to. */
  ceSense?: CeSenseSpec;
  /** CE state safeState() drives to: the vehicle stops requesting energy. Default B. */
  safeCe?: CeState;
  /** CE state set when the bench opens; none by default (the box stays as it is until a test sets CE). */
  initialCe?: CeState;
  /** ID (and CE sense) poll period (ms of the bench clock) so an unplug shows on the timeline; 0 = off. */
  pollMs?: number;
}

/** Generic DIO default: output port 1, one bit per CE state (A = all relays open). */
export const DEFAULT_CE_COMMANDS: Readonly<Record<CeState, string>> = {
  A: 'DIG:OUT:PORT 1,0',
  B0: 'DIG:OUT:PORT 1,1',
  B: 'DIG:OUT:PORT 1,2',
  C: 'DIG:OUT:PORT 1,4',
  E: 'DIG:OUT:PORT 1,8',
  EC: 'DIG:OUT:PORT 1,16',
};

export const DEFAULT_ID_SPEC: Readonly<Required<Pick<IdSpec, 'query' | 'bit' | 'activeLow'>>> = {
  query: 'DIG:IN:PORT? 1',
  bit: 0,
  activeLow: false,
};
export const DEFAULT_SAFE_CE: CeState = 'B';

/** A bench setting this driver cannot use (a command whose read-back cannot be derived, a bad pattern). */
export class PilotConfigError extends InputError {
  override name = 'PilotConfigError';
}

export interface ResolvedCeCommand {
  command: string;
  query: string;
  reply: string;
}

/**
 * `HEADER a,b,v` is read back with `HEADER? a,b` answered by `v` (the SCPI convention for settings with a
 * channel/port selector). Commands that do not fit (several commands, no parameter) need query + reply.
 */
export function resolveCeCommand(state: CeState, spec: CeCommandSpec, where: string): ResolvedCeCommand {
  const command = (typeof spec === 'string' ? spec : spec.command).trim();
  const given: { query?: string; reply?: string } = typeof spec === 'string' ? {} : spec;
  if (given.query !== undefined && given.reply !== undefined) return { command, query: given.query, reply: given.reply };
  const m = /^([^\s;?]+)\s+([^;]+)$/.exec(command);
  if (!m)
    throw new PilotConfigError(
      `CE state ${state}: cannot derive the read-back of '${command}' (expected 'HEADER [selector,]value'); give query and reply for it`,
      where,
    );
  const params = m[2].split(',').map((p) => p.trim());
  const value = params.pop()!;
  return {
    command,
    query: given.query ?? `${m[1]}?${params.length ? ' ' + params.join(',') : ''}`,
    reply: given.reply ?? value,
  };
}

/** SCPI replies that mean the same value: case, quotes, '+5' / '5.0' / '#H5', ON / 1. */
export function sameScpiValue(expected: string, actual: string): boolean {
  const norm = (s: string) =>
    s
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim()
      .toUpperCase();
  const e = norm(expected);
  const a = norm(actual);
  if (e === a) return true;
  const ne = scpiNumber(e);
  const na = scpiNumber(a);
  return ne !== undefined && na !== undefined && ne === na;
}

function scpiNumber(s: string): number | undefined {
  if (s === 'ON') return 1;
  if (s === 'OFF') return 0;
  const radix = /^#([HBQ])([0-9A-F]+)$/.exec(s);
  if (radix) {
    const base = radix[1] === 'H' ? 16 : radix[1] === 'B' ? 2 : 8;
    const n = parseInt(radix[2], base);
    return Number.isNaN(n) ? undefined : n;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([E][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** ID from a reply, per the bench's IdSpec. */
export function parseIdReply(reply: string, spec: IdSpec, where: string): IdState {
  if (spec.connected !== undefined || spec.notConnected !== undefined) {
    const yes = new RegExp(spec.connected ?? '(?!)').test(reply.trim());
    const no = new RegExp(spec.notConnected ?? '(?!)').test(reply.trim());
    if (yes === no)
      throw new ScpiReplyError(
        yes
          ? 'matches both the connected and the not-connected pattern'
          : `matches neither ID pattern (connected /${spec.connected}/, not connected /${spec.notConnected}/)`,
        where,
        reply,
      );
    return yes ? 'connected' : 'not-connected';
  }
  const n = scpiNumber(reply.trim().toUpperCase());
  if (n === undefined || !Number.isInteger(n) || n < 0)
    throw new ScpiReplyError('ID port reply is not a non-negative integer', where, reply);
  const set = Math.floor(n / 2 ** (spec.bit ?? DEFAULT_ID_SPEC.bit)) % 2 === 1;
  return set !== (spec.activeLow ?? DEFAULT_ID_SPEC.activeLow) ? 'connected' : 'not-connected';
}

/** CE state from a sense reply: exactly one pattern must match. */
export function parseCeSenseReply(reply: string, spec: CeSenseSpec, where: string): CeState {
  const text = reply.trim();
  const hits = CE_STATES.filter((st) => spec.states[st] !== undefined && new RegExp(spec.states[st]!).test(text));
  if (hits.length !== 1)
    throw new ScpiReplyError(
      hits.length ? `CE sense reply matches several states (${hits.join(', ')})` : 'CE sense reply matches no configured CE state',
      where,
      reply,
    );
  return hits[0];
}

/** Check a bench's settings up front, so a typo fails when the bench opens, not in the middle of a test. */
export function checkScpiCeIdSettings(s: ScpiCeIdSettings, where: string): Map<CeState, ResolvedCeCommand> {
  const table = new Map<CeState, ResolvedCeCommand>();
  for (const [state, spec] of Object.entries(s.ce ?? DEFAULT_CE_COMMANDS)) {
    if (!isCeState(state)) throw new PilotConfigError(`unknown CE state '${state}' (one of ${CE_STATES.join(', ')})`, where);
    if (spec !== undefined) table.set(state, resolveCeCommand(state, spec, where));
  }
  for (const key of ['safeCe', 'initialCe'] as const) {
    const st = key === 'safeCe' ? (s.safeCe ?? DEFAULT_SAFE_CE) : s.initialCe;
    if (st !== undefined && !table.has(st)) throw new PilotConfigError(`${key} ${st} has no command in 'ce'`, where);
  }
  for (const p of [s.id?.connected, s.id?.notConnected]) {
    if (p === undefined) continue;
    try {
      new RegExp(p);
    } catch (e) {
      throw new PilotConfigError(`ID pattern /${p}/ is not a regular expression: ${(e as Error).message}`, where);
    }
  }
  for (const [state, p] of Object.entries(s.ceSense?.states ?? {})) {
    if (!isCeState(state)) throw new PilotConfigError(`ceSense: unknown CE state '${state}' (one of ${CE_STATES.join(', ')})`, where);
    try {
      new RegExp(p);
    } catch (e) {
      throw new PilotConfigError(`ceSense.${state} /${p}/ is not a regular expression: ${(e as Error).message}`, where);
    }
  }
  if (s.ceSense && Object.keys(s.ceSense.states ?? {}).length === 0)
    throw new PilotConfigError('ceSense needs at least one state pattern', where);
  if ((s.id?.connected === undefined) !== (s.id?.notConnected === undefined))
    throw new PilotConfigError('ID pattern mode needs both connected and notConnected (a reply matching neither is then refused)', where);
  return table;
}
