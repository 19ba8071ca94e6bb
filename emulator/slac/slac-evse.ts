// One emulated EVSE's SLAC responder (ISO 15118-3 Annex A, the EVSE's side), written from the standard:
// answer CM_SLAC_PARM.REQ, open the sounding window on CM_START_ATTEN_CHAR.IND (TT_EVSE_match_MNBC), count
// the M-Sounds, report the attenuation profile its modem measured in CM_ATTEN_CHAR.IND, and confirm
// CM_SLAC_MATCH.REQ with the NMK/NID of its own modem's network. Fault switches bend exactly one of these.

import type { Clock, TimerHandle } from '../../drivers/core/clock.ts';
import type { MmeFields, SlacMessage } from '../../drivers/plc/slac-messages.ts';
import { SLAC_FAULT } from './faults.ts';

/** The EVSE's own protocol constants (ISO 15118-3 Table A.1), not the vehicle's limit profile. */
const EVSE_TABLE = { numSounds: 10, timeOutUnits100ms: 6, respType: 1, groups: 58 } as const;

export interface EmulatedEvseConfig {
  mac: string;
  /** Average attenuation its modem measures for the vehicle's sounds (dB): low for the EVSE the cable is in. */
  attenuationDb: number;
  /** Its modem's network: what CM_SLAC_MATCH.CNF hands out. */
  nid: string;
  nmk: string;
}

export type Send = (name: string, dst: string, fields: MmeFields, src: string) => void;

interface Session {
  runId: string;
  ev: string;
  sounds: number;
  window?: TimerHandle;
  parmAnswers: number;
}

export class EmulatedSlacEvse {
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly config: EmulatedEvseConfig,
    private readonly clock: Clock,
    private readonly send: Send,
    private readonly faults: ReadonlySet<string>,
  ) {}

  handle(msg: SlacMessage): void {
    const f = msg.fields;
    const ev = msg.header.src;
    if (msg.name === 'CM_SLAC_PARM.REQ') this.onParm(ev, f.runId as string);
    else if (msg.name === 'CM_START_ATTEN_CHAR.IND') this.onStart(ev, f);
    else if (msg.name === 'CM_MNBC_SOUND.IND') {
      const s = this.sessions.get(ev);
      if (s?.window && f.runId === s.runId) s.sounds++;
    } else if (msg.name === 'CM_SLAC_MATCH.REQ') this.onMatch(msg);
  }

  close(): void {
    for (const s of this.sessions.values()) s.window?.cancel();
    this.sessions.clear();
  }

  private runIdFor(runId: string): string {
    // The wrong-RunID fault flips the last byte: a charger that mixes up its sessions.
    if (!this.faults.has(SLAC_FAULT.wrongRunId)) return runId;
    return runId.slice(0, 14) + ((parseInt(runId.slice(14), 16) ^ 0xff) & 0xff).toString(16).padStart(2, '0');
  }

  private onParm(ev: string, runId: string): void {
    const known = this.sessions.get(ev);
    const session: Session = known?.runId === runId ? known : { runId, ev, sounds: 0, parmAnswers: 0 };
    known?.window?.cancel();
    this.sessions.set(ev, session);
    if (this.faults.has(SLAC_FAULT.noParmCnf)) return;
    if (this.faults.has(SLAC_FAULT.answersOnce) && session.parmAnswers > 0) return;
    session.parmAnswers++;
    const app = { applicationType: 0, securityType: 0 };
    this.send(
      'CM_SLAC_PARM.CNF',
      ev,
      {
        msoundTarget: 'ff:ff:ff:ff:ff:ff',
        numSounds: EVSE_TABLE.numSounds,
        timeOut: EVSE_TABLE.timeOutUnits100ms,
        respType: EVSE_TABLE.respType,
        forwardingSta: ev,
        ...app,
        runId: this.runIdFor(runId),
      },
      this.config.mac,
    );
  }

  private onStart(ev: string, f: MmeFields): void {
    const s = this.sessions.get(ev);
    // Only the first of the repeated START_ATTEN_CHAR.INDs opens the window.
    if (!s || f.runId !== s.runId || s.window) return;
    s.sounds = 0;
    const windowMs = (f.timeOut as number) * 100 || EVSE_TABLE.timeOutUnits100ms * 100;
    // The late fault reports well after the window: past the vehicle's TT_EV_atten_results.
    const lateMs = this.faults.has(SLAC_FAULT.attenCharLate) ? 900 : 0;
    s.window = this.clock.setTimer(windowMs + lateMs, () => this.reportAttenuation(s));
  }

  private reportAttenuation(s: Session): void {
    const aag = attenuationProfile(
      this.config.attenuationDb + (this.faults.has(SLAC_FAULT.attenuationTooWeak) ? 40 : 0),
      EVSE_TABLE.groups,
    );
    const fields: MmeFields = {
      applicationType: 0,
      securityType: 0,
      sourceAddress: s.ev,
      runId: this.runIdFor(s.runId),
      sourceId: '00'.repeat(17),
      respId: '00'.repeat(17),
      numSounds: s.sounds,
      numGroups: aag.length,
      aag,
    };
    this.send('CM_ATTEN_CHAR.IND', s.ev, fields, this.config.mac);
  }

  private onMatch(msg: SlacMessage): void {
    const f = msg.fields;
    const s = this.sessions.get(msg.header.src);
    const forUs = msg.header.dst === this.config.mac && f.evseMac === this.config.mac;
    if (!s || f.runId !== s.runId || this.faults.has(SLAC_FAULT.noMatchCnf)) return;
    if (!forUs && !this.faults.has(SLAC_FAULT.matchAnsweredByAll)) return;
    // The wrong-NMK fault hands out a key its own modem does not use: the vehicle can never join.
    const nmk = this.faults.has(SLAC_FAULT.wrongNmk) ? this.config.nmk.split('').reverse().join('') : this.config.nmk;
    const cnf: MmeFields = {
      ...f,
      mvfLength: 0x56,
      evseMac: this.config.mac,
      runId: this.runIdFor(s.runId),
      nid: this.config.nid,
      reserved2: 0,
      nmk,
    };
    this.send('CM_SLAC_MATCH.CNF', msg.header.src, cnf, this.config.mac);
  }
}

/** 58 group attenuations around an average, with a fixed ripple like a real channel's (dB, 0…255). */
export function attenuationProfile(averageDb: number, groups: number): number[] {
  return Array.from({ length: groups }, (_, i) => Math.max(0, Math.min(255, Math.round(averageDb + 3 * Math.sin(i / 4)))));
}
