// The vehicle side of SLAC (ISO 15118-3 Annex A): leave any old network (CM_SET_KEY to our own modem with a
// random key), CM_SLAC_PARM.REQ (repeated C_EV_match_retry times when unanswered), CM_START_ATTEN_CHAR.IND
// and CM_MNBC_SOUND.IND at TP_EV_batch_msg_interval, CM_ATTEN_CHAR.IND/RSP from every EVSE that heard us,
// CM_SLAC_MATCH.REQ/CNF with the EVSE of the lowest average attenuation, then CM_SET_KEY with its NMK/NID
// and the wait (CM_NW_INFO polling) until our modem joined its network within TT_match_join.
//
// The vehicle does not judge the charger: it follows the standard, records every frame (MmePort) and every
// decision (kind 'session'), and returns what happened. A charger's answer that does not carry our RunID
// is kept as evidence but is not taken as an answer. Only our own modem's silence is a BenchFault.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { BenchFault } from '../core/errors.ts';
import type { Limits } from '../core/limits.ts';
import type { Timeline } from '../core/timeline.ts';
import { BROADCAST_MAC, LOCAL_MODEM_MAC } from './mme.ts';
import { MmePort, type Received } from './mme-port.ts';
import type { RawEthernetPort } from './raw-ethernet.ts';
import type { MmeFields } from './slac-messages.ts';

export interface EvseHeard {
  mac: string;
  /** Average of the attenuation groups the EVSE reported (dB). */
  averageAttenuationDb: number;
  numSounds: number;
}

export interface SlacOutcome {
  runId: string;
  /** How many CM_SLAC_PARM.REQ went out (1 + repeats). */
  parmRequests: number;
  /** EVSEs that answered CM_SLAC_PARM.REQ with our RunID. */
  parmAnswers: string[];
  heard: EvseHeard[];
  chosen?: EvseHeard;
  matchRequests: number;
  match?: { evseMac: string; nid: string; nmk: string };
  joined: boolean;
  /** Where it stopped, when it did not join: 'parm', 'atten-char', 'match', 'join'. */
  stoppedAt?: 'parm' | 'atten-char' | 'match' | 'join';
}

export interface SlacEvOptions {
  port: RawEthernetPort;
  clock: Clock;
  timeline?: Timeline;
  /** Timeline source of the vehicle's frames (the link resource's name). */
  source: string;
  limits: Limits;
  /** Misbehaviour for the retry test: treat the answers to the first CM_SLAC_PARM.REQ as lost. */
  loseFirstParmAnswers?: boolean;
  signal?: AbortSignal;
}

const APP = { applicationType: 0, securityType: 0 };
const zeros = (n: number) => '00'.repeat(n);

export async function runSlacAsEv(o: SlacEvOptions): Promise<SlacOutcome> {
  const mp = new MmePort(o.port, o.clock, o.timeline, o.source);
  try {
    return await new SlacEv(mp, o).run();
  } finally {
    mp.close();
  }
}

class SlacEv {
  private readonly runId = randomBytes(8).toString('hex');
  private readonly ms: (name: string) => number;

  constructor(
    private readonly mp: MmePort,
    private readonly o: SlacEvOptions,
  ) {
    this.ms = (name) => o.limits.num(`slac.${name}`);
  }

  private note(event: string, data: Record<string, unknown> = {}): void {
    this.o.timeline?.record('session', this.o.source, { event, runId: this.runId, ...data });
  }

  private ours = (name: string) => (r: Received) => r.msg.name === name && r.msg.fields.runId === this.runId;

  async run(): Promise<SlacOutcome> {
    const out: SlacOutcome = { runId: this.runId, parmRequests: 0, parmAnswers: [], heard: [], matchRequests: 0, joined: false };
    this.note('slac-start', { ev: this.mp.mac });
    await this.setKey(randomBytes(16).toString('hex'), randomBytes(7).toString('hex'), 'leave any previous network');
    out.parmAnswers = await this.slacParm(out);
    if (out.parmAnswers.length === 0) return this.stop(out, 'parm');
    out.heard = await this.sound();
    if (out.heard.length === 0) return this.stop(out, 'atten-char');
    out.chosen = out.heard.reduce((a, b) => (b.averageAttenuationDb < a.averageAttenuationDb ? b : a));
    this.note('slac-evse-chosen', { ...out.chosen, of: out.heard.length });
    out.match = await this.slacMatch(out.chosen.mac, out);
    if (!out.match) return this.stop(out, 'match');
    await this.setKey(out.match.nmk, out.match.nid, 'join the matched EVSE');
    out.joined = await this.awaitJoin(out.match.nid);
    if (!out.joined) return this.stop(out, 'join');
    this.note('slac-matched', { evse: out.match.evseMac, nid: out.match.nid });
    return out;
  }

  private stop(out: SlacOutcome, at: NonNullable<SlacOutcome['stoppedAt']>): SlacOutcome {
    out.stoppedAt = at;
    this.note('slac-stopped', { at });
    return out;
  }

  /** Our own modem must answer; if it does not, the bench is broken, not the charger. */
  private async setKey(nmk: string, nid: string, why: string): Promise<void> {
    const since = this.o.clock.now();
    const myNonce = randomBytes(4).toString('hex');
    const fields = { keyType: 1, myNonce, yourNonce: zeros(4), pid: 4, prn: 0, pmn: 0, ccoCapability: 0, nid, newEks: 1, newKey: nmk };
    this.mp.send('CM_SET_KEY.REQ', LOCAL_MODEM_MAC, fields);
    const cnf = await this.mp.waitFor((r) => r.msg.name === 'CM_SET_KEY.CNF', this.ms('TT_match_response'), { since });
    if (cnf.length === 0)
      throw new BenchFault(
        `the vehicle's PLC modem did not answer CM_SET_KEY.REQ (${why}) within TT_match_response: ` +
          `is it powered and on ${this.o.port.iface}?`,
        this.o.source,
      );
  }

  private async slacParm(out: SlacOutcome): Promise<string[]> {
    for (let attempt = 0; attempt <= this.ms('C_EV_match_retry'); attempt++) {
      const since = this.o.clock.now();
      this.mp.send('CM_SLAC_PARM.REQ', BROADCAST_MAC, { ...APP, runId: this.runId });
      out.parmRequests++;
      // Several EVSEs may answer a broadcast: collect for the whole response window.
      const cnfs = await this.mp.waitFor(this.ours('CM_SLAC_PARM.CNF'), this.ms('TT_match_response'), { since, count: Infinity });
      if (attempt === 0 && this.o.loseFirstParmAnswers) {
        this.note('slac-answers-discarded', { why: 'misbehaviour: the first answers count as lost', count: cnfs.length });
        continue;
      }
      if (cnfs.length > 0) return [...new Set(cnfs.map((r) => r.msg.header.src))];
    }
    return [];
  }

  private async sound(): Promise<EvseHeard[]> {
    const interval = this.o.limits.get('slac.TP_EV_batch_msg_interval');
    const gapMs = ((interval.lo ?? 20) + (interval.hi ?? 50)) / 2;
    const timeOut = Math.round(this.ms('TT_EVSE_match_MNBC') / 100);
    const sounds = this.ms('C_EV_match_MNBC');
    const since = this.o.clock.now();
    const start = { ...APP, numSounds: sounds, timeOut, respType: 1, forwardingSta: this.mp.mac, runId: this.runId };
    // Each EVSE's CM_ATTEN_CHAR.IND is answered as it arrives: the EVSE repeats it after TT_match_response.
    const heard = new Map<string, EvseHeard>();
    const off = this.mp.onMessage(({ msg }) => {
      if (!this.ours('CM_ATTEN_CHAR.IND')({ msg, t: 0 }) || heard.has(msg.header.src)) return;
      const aag = msg.fields.aag as number[];
      const average = aag.length ? aag.reduce((a, b) => a + b, 0) / aag.length : Number.POSITIVE_INFINITY;
      heard.set(msg.header.src, { mac: msg.header.src, averageAttenuationDb: average, numSounds: msg.fields.numSounds as number });
      const rsp: MmeFields = { ...APP, sourceAddress: this.mp.mac, runId: this.runId, sourceId: zeros(17), respId: zeros(17), result: 0 };
      this.mp.send('CM_ATTEN_CHAR.RSP', msg.header.src, rsp);
    });
    try {
      // Each message on its own slot from the first (k × interval): a late wake-up does not push the rest back.
      let k = 0;
      const slot = async () => {
        const due = since / 1e6 + k++ * gapMs;
        await this.o.clock.sleep(Math.max(0, due - this.o.clock.nowMs()), this.o.signal);
      };
      for (let i = 0; i < this.ms('C_EV_start_atten_char_inds'); i++) {
        await slot();
        this.mp.send('CM_START_ATTEN_CHAR.IND', BROADCAST_MAC, start);
      }
      for (let left = sounds - 1; left >= 0; left--) {
        await slot();
        const sound = {
          ...APP,
          senderId: zeros(17),
          cnt: left,
          runId: this.runId,
          reserved: zeros(8),
          rnd: randomBytes(16).toString('hex'),
        };
        this.mp.send('CM_MNBC_SOUND.IND', BROADCAST_MAC, sound);
      }
      // Every EVSE that heard us reports within TT_EV_atten_results of our first CM_START_ATTEN_CHAR.IND.
      const remaining = this.ms('TT_EV_atten_results') - (this.o.clock.now() - since) / 1e6;
      await this.mp.waitFor(this.ours('CM_ATTEN_CHAR.IND'), Math.max(0, remaining), { since, count: Infinity });
    } finally {
      off();
    }
    return [...heard.values()];
  }

  private async slacMatch(evseMac: string, out: SlacOutcome): Promise<SlacOutcome['match']> {
    const req = {
      ...APP,
      mvfLength: 0x3e,
      pevId: zeros(17),
      pevMac: this.mp.mac,
      evseId: zeros(17),
      evseMac,
      runId: this.runId,
      reserved: zeros(8),
    };
    for (let attempt = 0; attempt <= this.ms('C_EV_match_retry'); attempt++) {
      const since = this.o.clock.now();
      this.mp.send('CM_SLAC_MATCH.REQ', evseMac, req);
      out.matchRequests++;
      const [cnf] = await this.mp.waitFor(
        (r) => this.ours('CM_SLAC_MATCH.CNF')(r) && r.msg.header.src === evseMac,
        this.ms('TT_match_response'),
        { since },
      );
      if (cnf) return { evseMac, nid: cnf.msg.fields.nid as string, nmk: cnf.msg.fields.nmk as string };
    }
    return undefined;
  }

  /** Ask our modem (CM_NW_INFO) until it reports membership of the matched network, bounded by TT_match_join. */
  private async awaitJoin(nid: string): Promise<boolean> {
    const end = this.o.clock.nowMs() + this.ms('TT_match_join');
    while (this.o.clock.nowMs() < end) {
      const since = this.o.clock.now();
      this.mp.send('CM_NW_INFO.REQ', LOCAL_MODEM_MAC, {});
      const [cnf] = await this.mp.waitFor((r) => r.msg.name === 'CM_NW_INFO.CNF', this.ms('TT_match_response'), { since });
      const networks = (cnf?.msg.fields.networks ?? []) as MmeFields[];
      if (networks.some((n) => n.nid === nid)) return true;
      await this.o.clock.sleep(Math.min(this.ms('joinPollMs'), Math.max(0, end - this.o.clock.nowMs())), this.o.signal);
    }
    return false;
  }
}
