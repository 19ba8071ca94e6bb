// A physical CE/ID pilot: a SCPI-controlled digital I/O or relay box that switches the vehicle-side CE
// circuit between its states and reads the ID (insertion detection) line. No public source gives the CE/ID
// voltages or resistors (reference iso15118-20-and-mcs.md §1.3 gap), so this driver knows no volts: the
// lab wires its box to the circuit from the standard / its interface-board datasheet and tells the bench
// file which SCPI command puts CE in each state and how ID reads back. The default suits a generic DIO
// box (`DIG:OUT:PORT 1,<bits>` / `DIG:IN:PORT? 1`), one output bit per state.
//
// Every CE write is read back before it counts: a box that did not switch is a bench problem
// (PilotReadbackFault), never a charger verdict. A reply we cannot interpret is a ScpiReplyError. The
// settings and the reading of replies are scpi-ce-id-protocol.ts; this file is the line model.

import type { Clock, TimerHandle } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Timeline } from '../core/timeline.ts';
import { ScpiInstrument } from '../scpi/instrument.ts';
import type { ScpiTransport } from '../scpi/transport.ts';
import {
  CE_STATES,
  isCeState,
  PilotChangeFeed,
  PilotStateError,
  type CeIdPilot,
  type CeState,
  type IdState,
  type PilotChange,
} from './ce-id.ts';
import {
  checkScpiCeIdSettings,
  DEFAULT_ID_SPEC,
  DEFAULT_SAFE_CE,
  parseCeSenseReply,
  parseIdReply,
  sameScpiValue,
  type IdSpec,
  type ResolvedCeCommand,
  type ScpiCeIdSettings,
} from './scpi-ce-id-protocol.ts';

export const SCPI_CE_ID_KIND = 'scpi-ce-id';

/** A CE write the box did not confirm on read-back. */
export class PilotReadbackFault extends BenchFault {
  override name = 'PilotReadbackFault';
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
  private readonly changes: PilotChangeFeed;
  private pollTimer: TimerHandle | undefined;
  private idn: Record<string, string> = {};
  private closed = false;

  constructor(o: ScpiCeIdOptions) {
    super(o.transport, o.name);
    this.name = o.name;
    this.clock = o.clock;
    this.timeline = o.timeline;
    this.changes = new PilotChangeFeed(o.timeline, o.name);
    this.settings = o.settings ?? {};
    this.commands = checkScpiCeIdSettings(this.settings, `pilot ${o.name}`);
    this.idSpec = { query: DEFAULT_ID_SPEC.query, ...(this.settings.id ?? {}) };
  }

  /** Identify the box, read ID, set the initial CE if configured, start the ID poll. */
  async open(): Promise<void> {
    this.idn = await this.queryIdentity();
    this.idState = await this.queryId();
    this.timeline.record('pilot', this.name, {
      signal: 'ID',
      state: this.idState,
      event: 'initial',
      box: `${this.idn.vendor} ${this.idn.model}`,
    });
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
    if (!isCeState(state))
      throw new PilotStateError(`unknown CE state '${String(state)}' (one of ${CE_STATES.join(', ')})`, `pilot ${this.name}`);
    const c = this.commands.get(state);
    if (!c) throw new PilotStateError(`CE state ${state} has no command on this box (bench setting ce.${state})`, `pilot ${this.name}`);
    const previous = this.confirmed ?? this.request;
    this.request = state;
    this.confirmed = undefined; // unknown until the box confirms it
    await this.write(c.command);
    const back = await this.ask(c.query);
    if (!sameScpiValue(c.reply, back)) {
      this.timeline.record('pilot', this.name, {
        signal: 'CE',
        event: 'readback-mismatch',
        requested: state,
        command: c.command,
        query: c.query,
        expected: c.reply,
        reply: back,
      });
      throw new PilotReadbackFault(
        `pilot ${this.name}: CE ${state} not confirmed: '${c.query}' answered '${back}', expected '${c.reply}' (check the box's wiring / the bench's ce.${state} setting)`,
        this.name,
      );
    }
    this.confirmed = state;
    if (this.settings.ceSense) {
      // The line, not our request, is the CE state: record the request, then measure what the line shows.
      this.timeline.record('pilot', this.name, { signal: 'CE-request', state, previous, command: c.command });
      await this.readCe();
    } else if (state !== previous)
      this.changes.emit({ signal: 'CE', state, previous, by: 'vehicle', t: this.clock.now() }, { command: c.command });
  }

  /** Measure CE now (needs ceSense); a change is emitted, by 'charger' when it differs from our request. */
  async readCe(): Promise<CeState> {
    const spec = this.settings.ceSense;
    if (!spec) throw new PilotStateError('this box has no CE sense (bench setting ceSense)', `pilot ${this.name}`);
    const state = parseCeSenseReply(await this.ask(spec.query), spec, this.where(spec.query));
    const previous = this.sensed ?? this.confirmed ?? this.request;
    this.sensed = state;
    if (state !== previous)
      this.changes.emit(
        { signal: 'CE', state, previous, by: state === this.request ? 'vehicle' : 'charger', t: this.clock.now() },
        { requested: this.request },
      );
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
      this.changes.emit({ signal: 'ID', state, previous, by: 'charger', t: this.clock.now() });
    }
    return state;
  }

  onChange(fn: (c: PilotChange) => void): () => void {
    return this.changes.subscribe(fn);
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
    return {
      pilot: `${this.idn.vendor ?? '?'} ${this.idn.model ?? '?'} s/n ${this.idn.serial ?? '?'} fw ${this.idn.firmware ?? '?'}`,
      pilotTransport: this.transport.description,
    };
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
}
