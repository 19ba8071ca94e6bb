// A physical CE/ID pilot: a SCPI-controlled digital I/O or relay box that switches the vehicle-side CE
// circuit between its states and reads the ID (insertion detection) line. No public source gives the CE/ID
// voltages or resistors (reference iso15118-20-and-mcs.md §1.3 gap), so this driver knows no volts: the
// lab wires its box to the circuit from the standard / its interface-board datasheet and tells the bench
// file which SCPI command puts CE in each state and how ID reads back. The default suits a generic DIO
// box (`DIG:OUT:PORT 1,<bits>` / `DIG:IN:PORT? 1`), one output bit per state.
//
// Every CE write is read back before it counts: a box that did not switch is a bench problem
// (PilotReadbackFault), never a charger verdict. A reply we cannot interpret is a ScpiReplyError.

import type { Clock, TimerHandle } from '../core/clock.ts';
import { BenchFault, InputError } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { ScpiReplyError } from '../scpi/errors.ts';
import { ScpiInstrument } from '../scpi/instrument.ts';
import type { ScpiTransport } from '../scpi/transport.ts';
import { CE_STATES, isCeState, PilotStateError, type CeIdPilot, type CeState, type IdState, type PilotChange } from './ce-id.ts';

export const SCPI_CE_ID_KIND = 'scpi-ce-id';

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

export const DEFAULT_ID_SPEC: Readonly<Required<Pick<IdSpec, 'query' | 'bit' | 'activeLow'>>> = { query: 'DIG:IN:PORT? 1', bit: 0, activeLow: false };
export const DEFAULT_SAFE_CE: CeState = 'B';

/** A CE write the box did not confirm on read-back. */
export class PilotReadbackFault extends BenchFault {
  override name = 'PilotReadbackFault';
}

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
    throw new PilotConfigError(`CE state ${state}: cannot derive the read-back of '${command}' (expected 'HEADER [selector,]value'); give query and reply for it`, where);
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
  const norm = (s: string) => s.trim().replace(/^"(.*)"$/, '$1').trim().toUpperCase();
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
      throw new ScpiReplyError(yes ? 'matches both the connected and the not-connected pattern' : `matches neither ID pattern (connected /${spec.connected}/, not connected /${spec.notConnected}/)`, where, reply);
    return yes ? 'connected' : 'not-connected';
  }
  const n = scpiNumber(reply.trim().toUpperCase());
  if (n === undefined || !Number.isInteger(n) || n < 0) throw new ScpiReplyError('ID port reply is not a non-negative integer', where, reply);
  const set = Math.floor(n / 2 ** (spec.bit ?? DEFAULT_ID_SPEC.bit)) % 2 === 1;
  return set !== (spec.activeLow ?? DEFAULT_ID_SPEC.activeLow) ? 'connected' : 'not-connected';
}

/** CE state from a sense reply: exactly one pattern must match. */
export function parseCeSenseReply(reply: string, spec: CeSenseSpec, where: string): CeState {
  const text = reply.trim();
  const hits = CE_STATES.filter((st) => spec.states[st] !== undefined && new RegExp(spec.states[st]!).test(text));
  if (hits.length !== 1) throw new ScpiReplyError(hits.length ? `CE sense reply matches several states (${hits.join(', ')})` : 'CE sense reply matches no configured CE state', where, reply);
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
  if (s.ceSense && Object.keys(s.ceSense.states ?? {}).length === 0) throw new PilotConfigError('ceSense needs at least one state pattern', where);
  if ((s.id?.connected === undefined) !== (s.id?.notConnected === undefined))
    throw new PilotConfigError('ID pattern mode needs both connected and notConnected (a reply matching neither is then refused)', where);
  return table;
}

export interface ScpiCeIdOptions {
  name: string;
  transport: ScpiTransport;
  clock: Clock;
  timeline: Timeline;
  settings?: ScpiCeIdSettings;
}

export class ScpiCeIdPilot extends ScpiInstrument implements CeIdPilot {
  readonly kind = SCPI_CE_ID_KIND;
  readonly name: string;
  private readonly clock: Clock;
  private readonly timeline: Timeline;
  private readonly settings: ScpiCeIdSettings;
  private readonly commands: Map<CeState, ResolvedCeCommand>;
  private readonly idSpec: IdSpec;
  /** Last state the box confirmed; undefined until the first confirmed write (or after a failed one). */
  private confirmed: CeState | undefined;
  /** CE as last measured (only with ceSense). */
  private sensed: CeState | undefined;
  private request: CeState = 'A';
  private idState: IdState = 'not-connected';
  private listeners = new Set<(c: PilotChange) => void>();
  private pollTimer: TimerHandle | undefined;
  private idn: Record<string, string> = {};
  private closed = false;

  constructor(o: ScpiCeIdOptions) {
    super(o.transport, o.name);
    this.name = o.name;
    this.clock = o.clock;
    this.timeline = o.timeline;
    this.settings = o.settings ?? {};
    this.commands = checkScpiCeIdSettings(this.settings, `pilot ${o.name}`);
    this.idSpec = { query: DEFAULT_ID_SPEC.query, ...(this.settings.id ?? {}) };
  }

  /** Identify the box, read ID, set the initial CE if configured, start the ID poll. */
  async open(): Promise<void> {
    this.idn = await this.queryIdentity();
    this.idState = await this.queryId();
    this.timeline.record('pilot', this.name, { signal: 'ID', state: this.idState, event: 'initial', box: `${this.idn.vendor} ${this.idn.model}` });
    // Where the outputs stand now (a crashed run may have left C): read only, so safeState knows what to undo.
    this.confirmed = await this.identifyOutputs();
    if (this.confirmed) this.request = this.confirmed;
    this.timeline.record('pilot', this.name, { signal: 'CE', event: 'initial-outputs', state: this.confirmed ?? 'unknown' });
    if (this.settings.ceSense) await this.readCe();
    if (this.settings.initialCe) await this.setCe(this.settings.initialCe);
    if ((this.settings.pollMs ?? 0) > 0) this.schedulePoll();
  }

  /** The configured state whose read-back the box shows now (each distinct query asked once), if any. */
  private async identifyOutputs(): Promise<CeState | undefined> {
    const replies = new Map<string, string>();
    for (const [state, c] of this.commands) {
      if (!replies.has(c.query)) replies.set(c.query, await this.ask(c.query));
      if (sameScpiValue(c.reply, replies.get(c.query)!)) return state;
    }
    return undefined;
  }

  /** The SCPI exchange for each configured state (for reports and the doctor). */
  commandTable(): ReadonlyMap<CeState, ResolvedCeCommand> {
    return this.commands;
  }

  async setCe(state: CeState): Promise<void> {
    if (!isCeState(state)) throw new PilotStateError(`unknown CE state '${String(state)}' (one of ${CE_STATES.join(', ')})`, `pilot ${this.name}`);
    const c = this.commands.get(state);
    if (!c) throw new PilotStateError(`CE state ${state} has no command on this box (bench setting ce.${state})`, `pilot ${this.name}`);
    const previous = this.confirmed ?? this.request;
    this.request = state;
    this.confirmed = undefined; // unknown until the box confirms it
    await this.write(c.command);
    const back = await this.ask(c.query);
    if (!sameScpiValue(c.reply, back)) {
      this.timeline.record('pilot', this.name, { signal: 'CE', event: 'readback-mismatch', requested: state, command: c.command, query: c.query, expected: c.reply, reply: back });
      throw new PilotReadbackFault(`pilot ${this.name}: CE ${state} not confirmed: '${c.query}' answered '${back}', expected '${c.reply}' (check the box's wiring / the bench's ce.${state} setting)`, this.name);
    }
    this.confirmed = state;
    if (this.settings.ceSense) {
      // The line, not our request, is the CE state: record the request, then measure what the line shows.
      this.timeline.record('pilot', this.name, { signal: 'CE-request', state, previous, command: c.command });
      await this.readCe();
    } else if (state !== previous) this.emit({ signal: 'CE', state, previous, by: 'vehicle', t: this.clock.now() }, { command: c.command });
  }

  /** Measure CE now (needs ceSense); a change is emitted, by 'charger' when it differs from our request. */
  async readCe(): Promise<CeState> {
    const spec = this.settings.ceSense;
    if (!spec) throw new PilotStateError('this box has no CE sense (bench setting ceSense)', `pilot ${this.name}`);
    const state = parseCeSenseReply(await this.ask(spec.query), spec, this.where(spec.query));
    const previous = this.sensed ?? this.confirmed ?? this.request;
    this.sensed = state;
    if (state !== previous) this.emit({ signal: 'CE', state, previous, by: state === this.request ? 'vehicle' : 'charger', t: this.clock.now() }, { requested: this.request });
    return state;
  }

  /** CE as last measured (ceSense), else the state the box last confirmed switching to (then B0 / EC set by the charger are not seen). */
  ce(): CeState {
    return this.sensed ?? this.confirmed ?? this.request;
  }

  requestedCe(): CeState {
    return this.request;
  }

  /** ID as last read (at open, by the poll, or by readId()). */
  id(): IdState {
    return this.idState;
  }

  /** Read ID from the box now; a change is emitted like a polled one. */
  async readId(): Promise<IdState> {
    const state = await this.queryId();
    if (state !== this.idState) {
      const previous = this.idState;
      this.idState = state;
      this.emit({ signal: 'ID', state, previous, by: 'charger', t: this.clock.now() });
    }
    return state;
  }

  onChange(fn: (c: PilotChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async pulseC(ms: number): Promise<void> {
    const before = this.request;
    await this.setCe('C');
    await this.clock.sleep(ms);
    await this.setCe(before);
  }

  /** Drive CE to the state that stops charging (safeCe, default B); A already stops it and is left alone; an unknown state is driven. */
  async safeState(): Promise<void> {
    if (this.closed) return;
    const safe = this.settings.safeCe ?? DEFAULT_SAFE_CE;
    if (this.confirmed === safe || this.confirmed === 'A') return;
    await this.setCe(safe);
  }

  identity(): Record<string, string> {
    return { pilot: `${this.idn.vendor ?? '?'} ${this.idn.model ?? '?'} s/n ${this.idn.serial ?? '?'} fw ${this.idn.firmware ?? '?'}`, pilotTransport: this.transport.description };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pollTimer?.cancel();
    await this.transport.close();
  }

  private async queryId(): Promise<IdState> {
    const q = this.idSpec.query ?? DEFAULT_ID_SPEC.query;
    return parseIdReply(await this.ask(q), this.idSpec, this.where(q));
  }

  private schedulePoll(): void {
    this.pollTimer = this.clock.setTimer(this.settings.pollMs!, () => {
      if (this.closed) return;
      (async () => {
        await this.readId();
        if (this.settings.ceSense) await this.readCe();
      })().then(
        () => this.schedulePoll(),
        (e: Error) => {
          // The next setCe / safeState raises the bench fault; the timeline says when polling stopped and why.
          if (!this.closed) this.timeline.record('pilot', this.name, { signal: 'ID', event: 'poll-stopped', error: e.message });
        },
      );
    });
  }

  private emit(c: PilotChange, extra: Record<string, unknown> = {}): void {
    this.timeline.record('pilot', this.name, { signal: c.signal, state: c.state, previous: c.previous, by: c.by, ...extra });
    for (const l of [...this.listeners]) {
      try {
        l(c);
      } catch {
        // A listener's bug must not stop the pilot.
      }
    }
  }
}
