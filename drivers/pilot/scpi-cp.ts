// The vehicle's CP on a physical SCPI box (the CE/ID pattern of scpi-ce-id.ts): relay outputs switch the
// vehicle-side CP resistors (A/B/C/D) and every write is read back; a PWM input (a counter channel) measures
// the charger's duty cycle and frequency. The box knows commands, not volts: the lab wires the IEC 61851-1
// circuit and maps each state to a command. Without a state query, E/F are not sensed: `read()` then
// reports the vehicle's own state and the PWM the counter sees.

import type { Timeline } from '../core/timeline.ts';
import { ScpiInstrument, parseNumber } from '../scpi/instrument.ts';
import type { ScpiTransport } from '../scpi/transport.ts';
import { CP_VEHICLE_STATES, CpStateError, type CpLineState, type CpPilot, type CpReading, type CpVehicleState } from './cp.ts';
import { sameScpiValue } from './scpi-ce-id-protocol.ts';
import { PilotReadbackFault } from './scpi-ce-id.ts';

export const SCPI_CP_KIND = 'scpi-cp';

export interface ScpiCpSettings {
  /** Vehicle state → command; default one bit of output port 1 per state (A 0, B 1, C 2, D 4). */
  states?: Partial<Record<CpVehicleState, string>>;
  /** Duty cycle of the charger's PWM in percent. */
  dutyQuery?: string;
  /** Frequency of the charger's PWM in Hz. */
  frequencyQuery?: string;
  /** Optional: the box senses the line; line state → regular expression over the reply. */
  stateSense?: { query: string; states: Partial<Record<CpLineState, string>> };
}

export const DEFAULT_CP_COMMANDS: Record<CpVehicleState, string> = {
  A: 'DIG:OUT:PORT 1,0',
  B: 'DIG:OUT:PORT 1,1',
  C: 'DIG:OUT:PORT 1,2',
  D: 'DIG:OUT:PORT 1,4',
};
export const DEFAULT_DUTY_QUERY = 'MEAS:PWM:DUTY? 1';
export const DEFAULT_FREQUENCY_QUERY = 'MEAS:PWM:FREQ? 1';

export class ScpiCpPilot extends ScpiInstrument implements CpPilot {
  private vehicle: CpVehicleState | undefined;

  constructor(
    readonly name: string,
    transport: ScpiTransport,
    private readonly timeline: Timeline,
    private readonly settings: ScpiCpSettings = {},
  ) {
    super(transport, name);
  }

  async setVehicleState(state: CpVehicleState): Promise<void> {
    if (!(CP_VEHICLE_STATES as readonly string[]).includes(state))
      throw new CpStateError(`unknown vehicle CP state '${String(state)}'`, `pilot ${this.name}`);
    const command = this.settings.states?.[state] ?? DEFAULT_CP_COMMANDS[state];
    await this.write(command);
    // `HEADER [selector,]value` reads back as `HEADER? [selector]`: a relay that did not switch is a bench fault.
    const m = /^([^\s;?]+)\s+([^;]+)$/.exec(command);
    if (m) {
      const params = m[2].split(',').map((p) => p.trim());
      const value = params.pop()!;
      const reply = await this.ask(`${m[1]}?${params.length ? ' ' + params.join(',') : ''}`);
      if (!sameScpiValue(value, reply))
        throw new PilotReadbackFault(`CP ${state}: '${command}' read back as '${reply.trim()}', expected '${value}'`, this.name);
    }
    this.vehicle = state;
    this.timeline.record('pilot', this.name, { signal: 'CP', state, by: 'vehicle' });
  }

  async read(): Promise<CpReading> {
    const dutyPct = parseNumber(await this.ask(this.settings.dutyQuery ?? DEFAULT_DUTY_QUERY), this.where('duty'));
    const frequencyHz = parseNumber(await this.ask(this.settings.frequencyQuery ?? DEFAULT_FREQUENCY_QUERY), this.where('frequency'));
    const state = (await this.sensedState()) ?? this.vehicle ?? 'A';
    const pwm = dutyPct > 0 && dutyPct < 100 && frequencyHz > 0;
    const r: CpReading = pwm ? { state, pwm, dutyPct, frequencyHz } : { state, pwm };
    this.timeline.record('pilot', this.name, { signal: 'CP-measure', ...r, by: 'vehicle' });
    return r;
  }

  private async sensedState(): Promise<CpLineState | undefined> {
    const sense = this.settings.stateSense;
    if (!sense) return undefined;
    const reply = (await this.ask(sense.query)).trim();
    const hits = Object.entries(sense.states).filter(([, re]) => new RegExp(re!).test(reply));
    if (hits.length !== 1)
      throw new CpStateError(`CP sense reply '${reply}' matches ${hits.length} states (needs exactly one)`, this.where(sense.query));
    return hits[0][0] as CpLineState;
  }
}
