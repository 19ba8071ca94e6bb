// The emulated GB/T 27930-2015 charger: the charger side of the standard's sequence over a CAN transport,
// driving the same power stage as the MCS emulator. Honours every timeout the gbt27930 suite checks
// (BCL lost → stop within 1 s, BCS 5 s, BRM/BCP/BRO 5 s with CEM) and misbehaves on purpose when one of
// GBT_FAULTS is on. It restarts with CHM when the vehicle has been silent for `idleResetMs` after a
// session ended (the "unplug → plug in" of the next test).

import type { Clock, TimerHandle } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import type { GbtLink, ReceivedMessage } from '../../drivers/gbt27930/link.ts';
import {
  NOT_READY, NOT_RECOGNISED, READY, RECOGNISED, STATUS,
  type BCL, type BCP, type BSM, type CEM, type CST, type GbtCode, type GbtMessageMap,
} from '../../drivers/gbt27930/messages.ts';
import { PeriodicTask, Watchdog } from '../../drivers/gbt27930/periodic.ts';
import type { GbtTiming, TimeoutName } from '../../drivers/gbt27930/timing.ts';
import { GBT_MAX_CURRENT_A } from '../../drivers/gbt27930/bms-profile.ts';

/** The part of the power stage the GB/T charger drives (emulator/power/power-stage.ts). */
export interface GbtPowerStage {
  request(targets: { currentA: number; voltageV: number; maxVoltageV?: number }): void;
  setVehicleLimits(limits: { maxVoltageV: number; maxCurrentA?: number }): void;
  precharge(targetVoltageV: number): void;
  startCharging(): void;
  stop(reason: 'vehicle' | 'charger' | 'emergency'): void;
  present(): { voltageV: number; currentA: number };
  readonly outputEnabled: boolean;
}

export type ChargerState = 'idle' | 'insulation' | 'recognition' | 'configuration' | 'precharge' | 'charging' | 'stopping' | 'statistics' | 'ended' | 'error';

export interface GbtChargerOptions {
  link: GbtLink;
  clock: Clock;
  timeline?: Timeline;
  source: string;
  timing: GbtTiming;
  stage: GbtPowerStage;
  faults: ReadonlySet<string>;
  ratings: { maxVoltageV: number; minVoltageV?: number; maxCurrentA: number };
  chargerNumber?: number;
  regionCode?: string;
  /** How long the insulation test between BHM and CRM(0x00) takes (ms). */
  insulationTestMs?: number;
  /** Vehicle silence that counts as "unplugged" once a session ended (ms). */
  idleResetMs?: number;
  /** Precharge: how close (V) the output must get to the battery voltage, and how long that may take. */
  prechargeToleranceV?: number;
  prechargeMaxMs?: number;
}

type Values = Record<string, unknown>;

export class GbtCharger {
  private st: ChargerState = 'idle';
  private readonly tasks = new Map<GbtCode, PeriodicTask>();
  private readonly watchdogs = new Map<TimeoutName, Watchdog>();
  private readonly timers = new Set<TimerHandle>();
  private recognition = NOT_RECOGNISED;
  private croReady = false;
  private bcp: BCP | undefined;
  private bcl: BCL | undefined;
  private paused = false;
  private cst: Partial<CST> = {};
  private cem: Partial<CEM> = {};
  private startedNs = 0;
  private energyWs = 0;
  private lastEnergyNs = 0;
  private lastRxNs = 0;
  private stateSinceNs = 0;
  private idleTimer: TimerHandle | undefined;
  private readonly unsubscribe: () => void;

  constructor(readonly opts: GbtChargerOptions) {
    const p = opts.timing.periodMs;
    const fault = (n: string) => opts.faults.has(n);
    const every = (code: GbtCode, periodMs: number, build: () => Values) => this.tasks.set(code, new PeriodicTask(opts.clock, periodMs, () => this.tx(code, build())));
    every('CHM', fault('chm-period-wrong') ? 400 : p.CHM, () => ({ versionMinor: 1, versionMajor: 1 }));
    every('CRM', p.CRM, () => ({ recognition: this.recognition, chargerNumber: opts.chargerNumber ?? 1, regionCode: opts.regionCode ?? 'EMU' }));
    every('CTS', p.CTS, () => ({ time: ctsTime(opts.clock.wallMs()) }));
    every('CML', p.CML, () => this.cml());
    every('CRO', p.CRO, () => ({ ready: this.croReady ? READY : NOT_READY }));
    every('CCS', fault('ccs-period-wrong') ? 80 : p.CCS, () => this.ccs());
    every('CST', p.CST, () => this.cstValues());
    every('CSD', p.CSD, () => this.csd());
    every('CEM', p.CEM, () => this.cemValues());
    this.unsubscribe = opts.link.onMessage((m) => this.onMessage(m));
  }

  get state(): ChargerState {
    return this.st;
  }

  /** Power on: CHM until a vehicle answers. */
  start(): void {
    this.toIdle('powered on');
    this.idleTimer = this.every(100, () => this.checkIdleReset());
  }

  /** Charger-initiated (operator) stop. */
  manualStop(): void {
    if (this.st === 'charging' || this.st === 'precharge' || this.st === 'configuration') this.enterStopping({ manualStop: STATUS.active }, 'charger');
  }

  async safeState(): Promise<void> {
    if (this.opts.stage.outputEnabled) this.opts.stage.stop('charger');
  }

  async close(): Promise<void> {
    this.stopAll();
    this.idleTimer?.cancel();
    for (const t of this.timers) t.cancel();
    this.unsubscribe();
    if (this.opts.stage.outputEnabled) this.opts.stage.stop('charger');
  }

  // ---------------------------------------------------------------- protocol

  private onMessage(m: ReceivedMessage): void {
    this.lastRxNs = this.opts.clock.now();
    const fault = (n: string) => this.opts.faults.has(n);
    const s = this.st;
    switch (m.code) {
      case 'BHM':
        if (s === 'idle') {
          this.setState('insulation', 'BHM: vehicle present; insulation test');
          this.opts.stage.setVehicleLimits({ maxVoltageV: m.values.maxChargeVoltageV });
          this.after(this.opts.insulationTestMs ?? 2000, () => {
            if (this.st === 'insulation') this.enterRecognition();
          });
        }
        return;
      case 'BRM':
        if (s === 'recognition' && this.recognition === NOT_RECOGNISED) {
          this.cancel('BRM');
          this.recognition = RECOGNISED;
          this.tasks.get('CRM')!.start(); // answer at once, then every period
          if (!fault('ignores-bcp-timeout')) this.kick('BCP');
        }
        return;
      case 'BCP':
        if (s === 'recognition' && this.recognition === RECOGNISED) {
          this.bcp = m.values;
          this.cancel('BCP');
          this.stop1('CRM');
          this.setState('configuration', 'BCP received');
          this.opts.stage.setVehicleLimits({ maxVoltageV: m.values.maxChargeVoltageV, maxCurrentA: fault('cml-exceeds-bcp') ? undefined : m.values.maxChargeCurrentA });
          this.tasks.get('CTS')!.start();
          this.tasks.get('CML')!.start(2);
          if (!fault('ignores-bro-timeout')) this.kick('BRO');
        }
        return;
      case 'BRO':
        if (s === 'configuration') {
          if (this.watchdogs.get('BRO')?.armed) {
            this.cancel('BRO');
            if (!fault('ignores-bro-timeout')) this.kick('BRO_AA');
          }
          if (m.values.ready === READY) {
            this.cancel('BRO_AA');
            this.enterPrecharge();
          }
        }
        return;
      case 'BCL':
        if (s === 'precharge' || s === 'charging') {
          this.bcl = m.values;
          if (!fault('ignores-bcl-timeout')) this.kick('BCL');
          if (s === 'precharge' && this.croReady) this.enterCharging();
          this.applyRequest();
        }
        return;
      case 'BCS':
        if (s === 'charging' || (s === 'precharge' && this.croReady)) {
          if (!fault('ignores-bcs-timeout')) this.kick('BCS');
        }
        return;
      case 'BSM':
        if (s === 'charging') this.onBsm(m.values);
        return;
      case 'BST':
        if (s === 'charging' || s === 'precharge' || s === 'configuration') this.enterStopping({ bmsStopped: STATUS.active }, 'vehicle');
        return;
      case 'BSD':
        // Statistics only once the output is off (the stop poll moves on then), never under load.
        return;
      case 'BEM':
        if (fault('ignores-bem')) return;
        if (s !== 'idle' && s !== 'ended' && s !== 'error') {
          this.event('vehicle-error', { bem: m.values });
          this.enterError({}, 'BEM from the vehicle');
        }
        return;
      default:
        return;
    }
  }

  private enterRecognition(): void {
    const fault = (n: string) => this.opts.faults.has(n);
    this.stop1('CHM');
    this.setState('recognition', 'insulation test done');
    if (fault('wrong-crm-sequence')) {
      // The fault: claims recognition before the vehicle identified itself.
      this.recognition = RECOGNISED;
      this.tasks.get('CRM')!.start();
      if (!fault('ignores-bcp-timeout')) this.kick('BCP');
      return;
    }
    this.recognition = NOT_RECOGNISED;
    this.tasks.get('CRM')!.start();
    if (!fault('ignores-brm-timeout')) this.kick('BRM');
  }

  private enterPrecharge(): void {
    this.setState('precharge', 'BRO(0xAA): vehicle ready; precharging');
    this.stop1('CTS');
    this.stop1('CML');
    this.croReady = false;
    this.tasks.get('CRO')!.start();
    // The vehicle closed its contactors before BRO(0xAA): the charger measures the battery at its output
    // and precharges to that (BCP's reported voltage only when nothing is measurable there).
    const measured = this.opts.stage.present().voltageV;
    const target = measured > 50 ? measured : (this.bcp?.batteryVoltageV ?? 0);
    this.opts.stage.precharge(target);
    const started = this.opts.clock.nowMs();
    const tol = this.opts.prechargeToleranceV ?? 10;
    const maxMs = this.opts.prechargeMaxMs ?? 5000;
    const poll = this.every(10, () => {
      if (this.st !== 'precharge') return poll.cancel();
      const v = this.opts.stage.present().voltageV;
      if (Math.abs(v - target) <= tol || this.opts.clock.nowMs() - started >= maxMs) {
        poll.cancel();
        this.opts.stage.startCharging();
        this.croReady = true;
        this.tasks.get('CRO')!.start();
        this.event('cro-ready', { outputVoltageV: v, batteryVoltageV: target });
        // BCL must follow CRO(0xAA): the same 1 s the running BCL timeout uses.
        if (!this.opts.faults.has('ignores-bcl-timeout')) this.kick('BCL');
      }
    });
  }

  private enterCharging(): void {
    this.stop1('CRO');
    this.setState('charging', 'first BCL after CRO(0xAA)');
    this.startedNs = this.opts.clock.now();
    this.lastEnergyNs = this.startedNs;
    this.energyWs = 0;
    this.tasks.get('CCS')!.start();
    if (!this.opts.faults.has('ignores-bcs-timeout')) this.kick('BCS');
  }

  private onBsm(v: BSM): void {
    const abnormal = [v.cellVoltageStatus, v.socStatus, v.overCurrent, v.overTemperature, v.insulation, v.outputConnector].some((x) => x === STATUS.active);
    if (abnormal) return this.enterStopping({ faultStop: STATUS.active }, 'charger');
    const pause = v.chargingPermitted === STATUS.normal && !this.opts.faults.has('ignores-bsm-pause');
    if (pause !== this.paused) {
      this.paused = pause;
      this.event(pause ? 'paused' : 'resumed', {});
      this.applyRequest();
    }
  }

  private applyRequest(): void {
    if (this.st !== 'charging' || !this.bcl) return;
    const capA = this.opts.faults.has('cml-exceeds-bcp') ? this.cmlMaxA() : Math.min(this.cmlMaxA(), this.bcp?.maxChargeCurrentA ?? GBT_MAX_CURRENT_A);
    const currentA = this.paused ? 0 : Math.min(this.bcl.currentDemandA, capA);
    this.opts.stage.request({ currentA, voltageV: this.bcl.voltageDemandV });
  }

  private enterStopping(reason: Partial<CST>, who: 'vehicle' | 'charger'): void {
    this.stopSessionTasks();
    this.cst = reason;
    this.setState('stopping', who === 'vehicle' ? 'BST received' : 'charger stops');
    this.tasks.get('CST')!.start();
    if (who === 'vehicle' && this.opts.faults.has('slow-stop-after-bst')) this.slowStop();
    else this.opts.stage.stop(who);
    // Statistics follow the stop: at the latest when the output is off, or when BSD arrives.
    const poll = this.every(10, () => {
      if (this.st !== 'stopping') return poll.cancel();
      if (!this.opts.stage.outputEnabled) {
        poll.cancel();
        this.enterStatistics();
      }
    });
  }

  /** The slow-stop-after-bst fault: ramp the request down at 20 A/s instead of stopping. */
  private slowStop(): void {
    let a = this.opts.stage.present().currentA;
    const v = this.bcl?.voltageDemandV ?? 0;
    const t = this.every(50, () => {
      a = Math.max(0, a - 20 * 0.05);
      this.opts.stage.request({ currentA: a, voltageV: v });
      if (a <= 1) {
        t.cancel();
        this.opts.stage.stop('charger');
      }
    });
  }

  private enterStatistics(): void {
    if (this.st === 'statistics') return;
    this.stop1('CST');
    this.setState('statistics', 'stop done');
    if (!this.opts.faults.has('no-csd')) this.tasks.get('CSD')!.start();
  }

  private enterError(cem: Partial<CEM>, why: string): void {
    this.stopSessionTasks();
    this.stop1('CST');
    this.stop1('CSD');
    this.cem = this.opts.faults.has('cem-wrong-bits') && Object.keys(cem).length ? { other: 1 } : cem;
    this.setState('error', why);
    if (Object.keys(cem).length) this.tasks.get('CEM')!.start();
    if (this.opts.stage.outputEnabled) this.opts.stage.stop('charger');
  }

  private onTimeout(name: TimeoutName): void {
    const bits: Partial<Record<TimeoutName, Partial<CEM>>> = {
      BRM: { brmTimeout: STATUS.active },
      BCP: { bcpTimeout: STATUS.active },
      BRO: { broTimeout: STATUS.active },
      BRO_AA: { broTimeout: STATUS.active },
      BCS: { bcsTimeout: STATUS.active },
      BCL: { bclTimeout: STATUS.active },
    };
    this.event('timeout', { timer: name, ms: this.opts.timing.timeoutMs[name] });
    const cem = bits[name] ?? { other: 1 };
    if (this.st === 'charging' || this.st === 'precharge') {
      // A lost demand while energy flows: stop at once (CST fault stop), and report the timeout (CEM).
      this.enterError(cem, `timeout ${name}`);
      this.cst = { faultStop: STATUS.active };
      this.tasks.get('CST')!.start();
      return;
    }
    this.enterError(cem, `timeout ${name}`);
  }

  private checkIdleReset(): void {
    if (this.st === 'idle') return;
    // Unplugged = silent for idleResetMs after a session ended, counted from the later of the last frame
    // and the end. Mid-session (a charger waiting for a message that never comes, as its timeout faults
    // do) only a silence of twice the generic 5 s timeout counts, so no timeout check is cut short.
    const ended = this.st === 'ended' || this.st === 'error' || this.st === 'statistics' || this.st === 'stopping';
    const limitMs = ended ? (this.opts.idleResetMs ?? 1000) : 2 * this.opts.timing.timeoutMs.general;
    const silentMs = (this.opts.clock.now() - Math.max(this.lastRxNs, this.stateSinceNs)) / 1e6;
    if (silentMs >= limitMs) {
      if (this.opts.stage.outputEnabled) this.opts.stage.stop('charger');
      this.toIdle('vehicle silent: unplugged');
    }
  }

  private toIdle(why: string): void {
    this.stopAll();
    this.recognition = NOT_RECOGNISED;
    this.croReady = false;
    this.bcp = undefined;
    this.bcl = undefined;
    this.paused = false;
    this.cst = {};
    this.cem = {};
    this.setState('idle', why);
    this.tasks.get('CHM')!.start();
  }

  // ---------------------------------------------------------------- message contents

  private cmlMaxA(): number {
    return Math.min(this.opts.ratings.maxCurrentA, GBT_MAX_CURRENT_A);
  }

  private cml(): Values {
    const r = this.opts.ratings;
    return { maxOutputVoltageV: r.maxVoltageV, minOutputVoltageV: r.minVoltageV ?? 150, maxOutputCurrentA: this.cmlMaxA(), minOutputCurrentA: 0 };
  }

  private ccs(): Values {
    const now = this.opts.clock.now();
    const p = this.opts.stage.present();
    this.energyWs += p.voltageV * p.currentA * ((now - this.lastEnergyNs) / 1e9);
    this.lastEnergyNs = now;
    let currentA = Math.max(0, p.currentA);
    if (this.opts.faults.has('ccs-wrong-current') && currentA > 10) currentA = currentA * 1.15 + 3;
    return {
      outputVoltageV: clamp(p.voltageV, 0, 6553), outputCurrentA: clamp(currentA, 0, GBT_MAX_CURRENT_A),
      chargingTimeMin: Math.min(600, Math.floor((now - this.startedNs) / 60e9)), chargingPermitted: this.paused ? STATUS.normal : STATUS.active,
    };
  }

  private cstValues(): Values {
    const zero = { setpointReached: 0, manualStop: 0, faultStop: 0, bmsStopped: 0, chargerOverTemp: 0, connectorFault: 0, internalOverTemp: 0, energyUnavailable: 0, emergencyStop: 0, otherFault: 0, currentMismatch: 0, voltageAbnormal: 0 };
    return { ...zero, ...this.cst };
  }

  private cemValues(): Values {
    return { brmTimeout: 0, bcpTimeout: 0, broTimeout: 0, bcsTimeout: 0, bclTimeout: 0, bstTimeout: 0, bsdTimeout: 0, other: 0, ...this.cem };
  }

  private csd(): Values {
    return {
      chargingTimeMin: Math.min(600, Math.floor((this.lastEnergyNs - this.startedNs) / 60e9)),
      energyKwh: clamp(Math.round(this.energyWs / 3.6e5) / 10, 0, 6553), chargerNumber: this.opts.chargerNumber ?? 1,
    };
  }

  // ---------------------------------------------------------------- plumbing

  private stopSessionTasks(): void {
    for (const c of ['CHM', 'CRM', 'CTS', 'CML', 'CRO', 'CCS'] as GbtCode[]) this.stop1(c);
    for (const w of this.watchdogs.values()) w.cancel();
  }

  private stopAll(): void {
    for (const t of this.tasks.values()) t.stop();
    for (const w of this.watchdogs.values()) w.cancel();
  }

  private tx(code: GbtCode, values: Values): void {
    this.opts.link.send(code, values as GbtMessageMap[typeof code] as never).catch((err: unknown) => {
      this.opts.timeline?.record('note', this.opts.source, { message: `sending ${code} failed: ${(err as Error)?.message ?? String(err)}` });
    });
  }

  private kick(name: TimeoutName): void {
    let w = this.watchdogs.get(name);
    if (!w) this.watchdogs.set(name, (w = new Watchdog(this.opts.clock, name, (n) => this.onTimeout(n as TimeoutName))));
    w.kick(this.opts.timing.timeoutMs[name]);
  }

  private cancel(name: TimeoutName): void {
    this.watchdogs.get(name)?.cancel();
  }

  private stop1(code: GbtCode): void {
    this.tasks.get(code)?.stop();
  }

  private after(ms: number, fn: () => void): void {
    const h = this.opts.clock.setTimer(ms, () => {
      this.timers.delete(h);
      fn();
    });
    this.timers.add(h);
  }

  private every(ms: number, fn: () => void): TimerHandle {
    let h: TimerHandle;
    let cancelled = false;
    const arm = () => {
      h = this.opts.clock.setTimer(ms, () => {
        if (cancelled) return;
        arm();
        fn();
      });
    };
    arm();
    return { cancel: () => { cancelled = true; h.cancel(); } };
  }

  private setState(s: ChargerState, why: string): void {
    const from = this.st;
    this.st = s;
    this.stateSinceNs = this.opts.clock.now();
    this.event('state', { from, to: s, why });
  }

  private event(what: string, data: Values): void {
    this.opts.timeline?.record('session', this.opts.source, { event: what, state: this.st, ...data });
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}

function ctsTime(wallMs: number): GbtMessageMap['CTS']['time'] {
  const d = new Date(wallMs);
  return { second: d.getUTCSeconds(), minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, year: d.getUTCFullYear() };
}
