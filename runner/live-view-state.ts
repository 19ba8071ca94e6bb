// What the live bench view shows, folded from the run's timeline one event at a time: progress, the current
// test and what it is doing, protocol state, signal lines, contactors, the charger's advertised limits, a
// decimated current/voltage trace, the last messages, and banners for faults, aborts and safe-state actions.
// It reads only what a physical bench observes: protocol messages and sessions come from the vehicle-side
// resources: the events of an emulated charger (a resource of kind `emulated-…-charger`) are its own record, which
// a real charger does not give, and are skipped.

import type { TimelineEvent } from '../drivers/core/timeline.ts';
import { requestedCurrentA } from './progress.ts';

/** One chart point: clock seconds since the run started; measured current/voltage, requested current. */
export interface ChartPoint {
  t: number;
  iA?: number;
  vV?: number;
  reqA?: number;
}

export type BannerLevel = 'fault' | 'failed' | 'abort' | 'safe-state' | 'info';

export interface Banner {
  t: number;
  level: BannerLevel;
  text: string;
}

export interface LiveMessage {
  t: number;
  source: string;
  dir: string;
  name: string;
  detail?: string;
}

export interface LiveSnapshot {
  bench?: string;
  suite?: string;
  faults: string[];
  /** Clock seconds since the run started (latest event). */
  elapsedS: number;
  total: number;
  started: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Seconds left, from the mean duration of the tests done so far. */
  etaS?: number;
  test?: { n: number; title: string; startS: number; step?: string };
  /** 'running', 'finished' (exit code), 'aborted' or 'interrupted'. */
  runState: string;
  protocol: { flow: string[]; stage?: string };
  lines: Record<string, string>;
  contactors?: string;
  output?: string;
  limits: Record<string, string>;
  safeStateActive: boolean;
  banners: Banner[];
  messages: LiveMessage[];
}

/** Chart resolution: one point per bucket of 1 kS/s data (50 points per clock second). */
const BUCKET_S = 0.02;
/** Chart history kept in clock seconds. */
export const CHART_WINDOW_S = 120;
const MAX_MESSAGES = 40;
const MAX_BANNERS = 12;
const FLOW_LENGTH = 10;

export class LiveViewState {
  private startT?: number;
  private lastT = 0;
  private readonly snap: LiveSnapshot = {
    faults: [],
    elapsedS: 0,
    total: 0,
    started: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    runState: 'waiting for the run',
    protocol: { flow: [] },
    lines: {},
    limits: {},
    safeStateActive: false,
    banners: [],
    messages: [],
  };
  /** Sources of emulated chargers: the charger's own record, not what the bench observes. */
  private readonly emulated = new Set<string>();
  private chart: ChartPoint[] = [];
  /** Points appended since the last takeNewPoints(). */
  private fresh: ChartPoint[] = [];
  private requestedA?: number;
  private bucket?: { t: number; bySource: Map<string, { i: number[]; v: number[] }> };
  private doneDurations: number[] = [];
  /** The charger's last stop reasons (CST repeats every 10 ms): a banner only when they change. */
  private lastStopReasons = '';

  /** chargerSide: the view of `mcs-hil emulate`, where the emulated charger's record is what there is to show. */
  constructor(
    total = 0,
    private readonly chargerSide = false,
  ) {
    this.snap.total = total;
  }

  setTotal(total: number): void {
    this.snap.total = total;
  }

  snapshot(): LiveSnapshot {
    const s = this.snap;
    const done = s.passed + s.failed + s.skipped;
    s.total = Math.max(s.total, s.started); // a run recorded before the start event said how many
    const mean = this.doneDurations.length ? this.doneDurations.reduce((a, b) => a + b, 0) / this.doneDurations.length : undefined;
    s.etaS = mean !== undefined && s.total > done ? mean * (s.total - done) : undefined;
    return s;
  }

  points(): ChartPoint[] {
    return this.chart;
  }

  takeNewPoints(): ChartPoint[] {
    const f = this.fresh;
    this.fresh = [];
    return f;
  }

  see(e: TimelineEvent): void {
    if (this.startT === undefined) this.startT = e.t;
    this.lastT = Math.max(this.lastT, e.t);
    this.snap.elapsedS = this.sec(this.lastT);
    const d = e.data as Record<string, unknown>;
    if (e.kind === 'run' && typeof d.kind === 'string' && d.event === 'resource-open' && /^emulated-.*charger$/.test(d.kind))
      this.emulated.add(e.source);
    if (!this.chargerSide && this.isChargerOwn(e.source) && e.kind !== 'fault') return;
    switch (e.kind) {
      case 'run':
        return this.run(e, d);
      case 'test':
        return this.test(e, d);
      case 'samples':
        return this.samples(e, d as { t0?: number; dt?: number; channels?: Record<string, number[]> });
      case 'v2g':
        return this.v2g(e, d);
      case 'gbt':
        return this.gbt(e, d);
      case 'pilot':
        if (typeof d.signal === 'string' && typeof d.state === 'string') this.snap.lines[d.signal] = d.state;
        return;
      case 'session':
        return this.session(e, d);
      case 'safe-state':
        return this.safeState(e, d);
      case 'fault':
        if (d.on) this.banner(e, 'fault', `fault switch on: ${String(d.fault)}`);
        if (d.on && typeof d.fault === 'string' && !this.snap.faults.includes(d.fault)) this.snap.faults.push(d.fault);
        return;
      case 'measurement':
        if (this.snap.test) this.snap.test.step = `check: ${String(d.name)} — ${String(d.outcome ?? '')}`;
        return;
      case 'instrument':
        if (d.event === 'command' && d.command === 'output') this.snap.output = `${e.source} output ${d.on ? 'on' : 'off'}`;
        return;
    }
    if (typeof d.waiting === 'string' && this.snap.test) this.snap.test.step = `waiting: ${d.waiting}`;
  }

  private sec(t: number): number {
    return (t - (this.startT ?? t)) / 1e9;
  }

  private isChargerOwn(source: string): boolean {
    return this.emulated.has(source) || this.emulated.has(source.split('/')[0]);
  }

  private run(e: TimelineEvent, d: Record<string, unknown>): void {
    if (d.event === 'start') {
      this.snap.bench = String(d.bench ?? '');
      this.snap.suite = String(d.suite ?? '');
      if (typeof d.tests === 'number') this.snap.total = d.tests;
      this.snap.runState = 'opening the bench';
    } else if (d.event === 'bench-ready') this.snap.runState = 'running';
    else if (d.event === 'aborted') {
      this.snap.runState = 'aborted';
      this.banner(e, 'abort', `RUN ABORTED after ${String(d.afterTest)}: ${String(d.resource)} — ${String(d.step)}: ${String(d.error)}`);
    } else if (d.event === 'signal') {
      this.snap.runState = `interrupted by ${String(d.signal)}`;
      this.banner(e, 'abort', `run interrupted by ${String(d.signal)}: going to the safe state`);
    } else if (d.event === 'end') {
      if (this.snap.runState === 'running' || this.snap.runState === 'opening the bench')
        this.snap.runState = `finished (exit code ${String(d.exitCode)})`;
      this.snap.test = undefined;
    }
  }

  private test(e: TimelineEvent, d: Record<string, unknown>): void {
    const title = String(d.title ?? '?');
    if (d.event === 'start') {
      this.snap.started++;
      this.snap.test = { n: this.snap.started, title, startS: this.sec(e.t), step: 'precondition: charger idle' };
      this.requestedA = undefined;
    } else if (d.event === 'precondition: charger idle' && this.snap.test) this.snap.test.step = 'test body';
    else if (d.event === 'precondition failed') this.banner(e, 'abort', `charger not idle (${String(d.resource)}): ${String(d.error)}`);
    else if (d.event === 'end') {
      const state = String(d.state);
      if (state === 'passed') this.snap.passed++;
      else if (state === 'failed') this.snap.failed++;
      else this.snap.skipped++;
      if (this.snap.test) this.doneDurations.push(this.sec(e.t) - this.snap.test.startS);
      if (state === 'failed') this.banner(e, 'failed', `FAILED: ${title} — ${String(d.error ?? '').split('\n')[0]}`);
      if (this.snap.test) this.snap.test.step = `ended: ${state}`;
    }
  }

  private v2g(e: TimelineEvent, d: Record<string, unknown>): void {
    const name = typeof d.message === 'string' ? d.message : undefined;
    if (!name) return;
    // The flow by request (its response follows it): SessionSetup → … → DC_ChargeLoop ×812 → PowerDelivery.
    if (!name.endsWith('Res')) this.pushFlow(name.replace(/Req$/, ''));
    const doc = (d.doc ?? {}) as Record<string, Record<string, unknown>>;
    const body = doc[name] ?? {};
    const code = typeof body.ResponseCode === 'string' ? body.ResponseCode : undefined;
    this.message(e, d, name, code);
    if (code?.startsWith('FAILED')) this.banner(e, 'fault', `charger answered ${name} with ${code}`);
    if (/ChargeParameterDiscoveryRes$/.test(name)) this.v2gLimits(body);
    if (d.dir === 'tx' && name === 'PowerDeliveryReq') {
      this.snap.contactors = `PowerDelivery ${String(body.ChargeProgress ?? '')}`;
      if (body.ChargeProgress === 'Stop') this.requestedA = 0;
    }
    this.request(e);
  }

  private v2gLimits(body: Record<string, unknown>): void {
    const mode = Object.values(body).find((v) => v && typeof v === 'object' && 'EVSEMaximumChargeCurrent' in v) as
      Record<string, { Value: number; Exponent: number }> | undefined;
    if (!mode) return;
    const q = (k: string, unit: string) => (mode[k] ? `${round(mode[k].Value * 10 ** mode[k].Exponent)} ${unit}` : undefined);
    this.snap.limits = dropEmpty({
      'max current': q('EVSEMaximumChargeCurrent', 'A'),
      'max voltage': q('EVSEMaximumVoltage', 'V'),
      'min voltage': q('EVSEMinimumVoltage', 'V'),
      'max power': q('EVSEMaximumChargePower', 'W'),
      from: 'ChargeParameterDiscoveryRes',
    });
  }

  private gbt(e: TimelineEvent, d: Record<string, unknown>): void {
    const code = typeof d.code === 'string' ? d.code : undefined;
    if (!code) return;
    const values = (d.values ?? {}) as Record<string, number>;
    const set = Object.entries(values)
      .filter(([k, v]) => v === 1 && /fault|stop|abnormal|mismatch|overtemp|unavailable|emergency/i.test(k))
      .map(([k]) => k);
    this.message(e, d, code, set.join(',') || undefined);
    if (code === 'CST' && d.dir === (this.chargerSide ? 'tx' : 'rx')) this.chargerStops(e, set);
    if (code === 'BST' && d.dir === 'tx') this.requestedA = 0; // the vehicle stops: it asks for nothing more
    if (code === 'CML')
      this.snap.limits = {
        'max voltage': `${values.maxOutputVoltageV} V`,
        'min voltage': `${values.minOutputVoltageV} V`,
        'max current': `${values.maxOutputCurrentA} A`,
        'min current': `${values.minOutputCurrentA} A`,
        from: 'CML',
      };
    this.request(e);
  }

  /** CST: a stop for a fault is a banner; a stop the vehicle or the operator asked for is not. */
  private chargerStops(e: TimelineEvent, reasons: string[]): void {
    const faults = reasons.filter((r) => !/^(bmsStopped|manualStop|setpointReached)$/.test(r));
    const key = faults.join(',');
    if (key && key !== this.lastStopReasons) this.banner(e, 'fault', `charger stops for a fault (CST): ${faults.join(', ')}`);
    this.lastStopReasons = key;
  }

  private session(e: TimelineEvent, d: Record<string, unknown>): void {
    if (d.event === 'state' && typeof d.state === 'string') {
      this.snap.protocol.stage = `${e.source}: ${d.state}`;
      if (d.state !== d.from) this.pushFlow(d.state);
    }
    if (d.event === 'contactors') this.snap.contactors = `${e.source} contactors ${d.closed ? 'closed' : 'open'}`;
    if (d.event === 'contactors open') this.snap.contactors = `${e.source} contactors open`;
    if (d.event === 'charger-error') {
      const cem = Object.entries((d.cem ?? {}) as Record<string, number>).filter(([, v]) => v);
      this.banner(e, 'fault', `charger reports an error (CEM): ${cem.map(([k]) => k).join(', ') || 'other'}`);
    }
    if (typeof d.event === 'string' && /session established|session ended|charge loop ended|service selected/.test(d.event))
      this.snap.protocol.stage = `${e.source}: ${d.event}`;
  }

  private safeState(e: TimelineEvent, d: Record<string, unknown>): void {
    if (d.event === 'begin') {
      this.snap.safeStateActive = true;
      this.requestedA = 0; // the safe state's first step: the vehicle asks for 0 A
      this.banner(e, 'safe-state', `safe state: ${String(d.reason ?? '')}`);
    } else if (d.event === 'end') {
      this.snap.safeStateActive = false;
      if (d.ok === false) this.banner(e, 'abort', `safe state NOT reached: ${String(d.reason ?? '')}`);
    } else if (d.event === 'failed')
      this.banner(e, 'abort', `safe-state step failed: ${e.source} — ${String(d.step)}: ${String(d.error ?? '')}`);
    if (this.snap.test && typeof d.step === 'string') this.snap.test.step = `safe state: ${e.source} — ${d.step}`;
    if (d.phase === 'contactors-open' && d.event === 'reached') this.snap.contactors = `${e.source} contactors open (safe state)`;
  }

  private request(e: TimelineEvent): void {
    const r = requestedCurrentA(e);
    if (r !== undefined) this.requestedA = r;
  }

  private pushFlow(name: string): void {
    const flow = this.snap.protocol.flow;
    const last = flow.at(-1);
    const m = last ? /^(.*?)(?: ×(\d+))?$/.exec(last) : null;
    if (m && m[1] === name) flow[flow.length - 1] = `${name} ×${Number(m[2] ?? 1) + 1}`;
    else flow.push(name);
    if (flow.length > FLOW_LENGTH) flow.shift();
  }

  private message(e: TimelineEvent, d: Record<string, unknown>, name: string, detail?: string): void {
    this.snap.messages.push({ t: this.sec(e.t), source: e.source, dir: String(d.dir ?? ''), name, detail });
    if (this.snap.messages.length > MAX_MESSAGES) this.snap.messages.shift();
  }

  private banner(e: TimelineEvent, level: BannerLevel, text: string): void {
    this.snap.banners.push({ t: this.sec(e.t), level, text });
    if (this.snap.banners.length > MAX_BANNERS) this.snap.banners.shift();
  }

  /** Sample blocks go into 20 ms buckets; per bucket the instrument carrying the most current is the port under test. */
  private samples(e: TimelineEvent, d: { t0?: number; dt?: number; channels?: Record<string, number[]> }): void {
    const ch = d.channels ?? {};
    const n = Math.max(ch.currentA?.length ?? 0, ch.voltageV?.length ?? 0);
    if (!n || d.t0 === undefined || !d.dt) return;
    for (let k = 0; k < n; k++) {
      const t = Math.floor(this.sec(d.t0 + k * d.dt) / BUCKET_S) * BUCKET_S;
      if (!this.bucket || t > this.bucket.t) this.closeBucket(t);
      const b = this.bucket!.bySource.get(e.source) ?? { i: [], v: [] };
      this.bucket!.bySource.set(e.source, b);
      if (ch.currentA?.[k] !== undefined) b.i.push(ch.currentA[k]);
      if (ch.voltageV?.[k] !== undefined) b.v.push(ch.voltageV[k]);
    }
  }

  private closeBucket(next: number): void {
    const b = this.bucket;
    this.bucket = { t: next, bySource: new Map() };
    if (!b || b.bySource.size === 0) return;
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : undefined);
    const best = [...b.bySource.values()].sort((x, y) => Math.abs(mean(y.i) ?? 0) - Math.abs(mean(x.i) ?? 0))[0];
    const p: ChartPoint = { t: Math.round(b.t * 1000) / 1000, iA: round(mean(best.i)), vV: round(mean(best.v)), reqA: this.requestedA };
    this.chart.push(p);
    this.fresh.push(p);
    const cut = p.t - CHART_WINDOW_S;
    if (this.chart[0].t < cut) this.chart = this.chart.filter((x) => x.t >= cut);
  }
}

function round(x: number | undefined, digits = 1): number | undefined {
  if (x === undefined || !Number.isFinite(x)) return undefined;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function dropEmpty(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
}
