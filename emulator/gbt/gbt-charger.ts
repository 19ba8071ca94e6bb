// The emulated GB/T 27930-2015 charger: the charger side of the standard's sequence over a CAN transport,
// driving the same power stage as the MCS emulator. Honours every timeout the gbt27930 suite checks
// (BCL lost → stop within 1 s, BCS 5 s, BRM/BCP/BRO 5 s with CEM) and misbehaves on purpose when one of
// GBT_FAULTS is on. It restarts with CHM when the vehicle has been silent for `idleResetMs` after a
// session ended (the "unplug → plug in" of the next test).

import type { ReceivedMessage } from '../../drivers/gbt27930/link.ts';
import {
  NOT_READY,
  NOT_RECOGNISED,
  READY,
  RECOGNISED,
  STATUS,
  type BCL,
  type BCP,
  type BSM,
  type CEM,
  type CST,
  type GbtCode,
} from '../../drivers/gbt27930/messages.ts';
import { GbtNode, pickWiring, type GbtNodeWiring, type Values } from '../../drivers/gbt27930/gbt-node.ts';
import { CEM_BITS, ccs, cem, cml, cmlMaxA, cst, ctsTime } from './charger-messages.ts';
import type { TimeoutName } from '../../drivers/gbt27930/timing.ts';
import { GBT_MAX_CURRENT_A } from '../../drivers/gbt27930/bms-profile.ts';
import type { GbtPowerStage } from './gbt-power-stage.ts';
import { SessionMeter } from './session-meter.ts';
import { lateStop, slowStop } from './fault-stops.ts';

export type ChargerState =
  'idle' | 'insulation' | 'recognition' | 'configuration' | 'precharge' | 'charging' | 'stopping' | 'statistics' | 'ended' | 'error';

export interface GbtChargerOptions extends GbtNodeWiring {
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

export class GbtCharger {
  private readonly node: GbtNode<ChargerState>;
  private recognition = NOT_RECOGNISED;
  private croReady = false;
  /** Fault crm-aa-late: a BRM arrived and its late answer is scheduled. */
  private lateRecognition?: { cancel(): void };
  private bcp: BCP | undefined;
  private bcl: BCL | undefined;
  private paused = false;
  private cst: Partial<CST> = {};
  private cem: Partial<CEM> = {};
  private readonly meter: SessionMeter;
  private lastRxNs = 0;
  private readonly unsubscribe: () => void;

  constructor(readonly opts: GbtChargerOptions) {
    this.node = new GbtNode<ChargerState>({
      ...pickWiring(opts),
      initial: 'idle',
      onTimeout: (n) => this.onTimeout(n),
    });
    this.meter = new SessionMeter(opts.clock);
    const p = opts.timing.periodMs;
    const fault = (n: string) => opts.faults.has(n);
    const every = (code: GbtCode, periodMs: number, build: () => Values) => this.node.periodic(code, periodMs, build);
    every('CHM', fault('chm-period-wrong') ? 160 : p.CHM, () => ({ versionMinor: 1, versionMajor: 1 }));
    every('CRM', p.CRM, () => ({
      recognition: this.recognition,
      chargerNumber: opts.chargerNumber ?? 1,
      regionCode: opts.regionCode ?? 'EMU',
    }));
    every('CTS', fault('cts-cml-period-wrong') ? 300 : p.CTS, () => ({ time: ctsTime(opts.clock.wallMs()) }));
    every('CML', fault('cts-cml-period-wrong') ? 150 : p.CML, () => cml(this.opts.ratings));
    every('CRO', p.CRO, () => ({ ready: this.croReady ? READY : NOT_READY }));
    every('CCS', fault('ccs-period-wrong') ? 80 : p.CCS, () => {
      const out = opts.stage.present();
      this.meter.add(out.voltageV, out.currentA);
      return ccs(out, this.meter.minutesSoFar(), this.paused, fault('ccs-wrong-current'));
    });
    every('CST', p.CST, () => cst(this.cst));
    every('CSD', p.CSD, () => ({
      chargingTimeMin: this.meter.minutesCharged(),
      energyKwh: this.meter.energyKwh(),
      chargerNumber: opts.chargerNumber ?? 1,
    }));
    every('CEM', p.CEM, () => cem(this.cem));
    this.unsubscribe = opts.link.onMessage((m) => this.onMessage(m));
  }

  get state(): ChargerState {
    return this.node.state;
  }

  /** Power on: CHM until a vehicle answers. */
  start(): void {
    this.toIdle('powered on');
    this.node.repeat(100, () => this.checkIdleReset());
  }

  /** Charger-initiated (operator) stop. */
  manualStop(): void {
    if (this.node.state === 'charging' || this.node.state === 'precharge' || this.node.state === 'configuration')
      this.enterStopping({ manualStop: STATUS.active }, 'charger');
  }

  async safeState(): Promise<void> {
    if (this.opts.stage.outputEnabled) this.opts.stage.stop('charger');
  }

  async close(): Promise<void> {
    this.node.close();
    this.unsubscribe();
    if (this.opts.stage.outputEnabled) this.opts.stage.stop('charger');
  }

  // ---------------------------------------------------------------- protocol

  private onMessage(m: ReceivedMessage): void {
    // Its timers count from when the message arrived (its receive stamp), not from when we got to it.
    this.lastRxNs = m.t;
    const fault = (n: string) => this.opts.faults.has(n);
    const s = this.node.state;
    switch (m.code) {
      case 'BHM':
        if (s === 'idle') {
          this.node.setState('insulation', 'BHM: vehicle present; insulation test');
          this.opts.stage.setVehicleLimits({ maxVoltageV: m.values.maxChargeVoltageV });
          this.node.after(this.opts.insulationTestMs ?? 2000, () => {
            if (this.node.state === 'insulation') this.enterRecognition();
          });
        }
        return;
      case 'BRM':
        if (s === 'recognition' && this.recognition === NOT_RECOGNISED && !this.lateRecognition) {
          this.node.cancel('BRM');
          if (!fault('crm-aa-late')) return this.recognise();
          // The fault: the vehicle is recognised only after the standard's 5 s for CRM(0xAA) have passed.
          this.lateRecognition = this.node.after(this.opts.timing.timeoutMs.CRM_AA + 1000, () => {
            this.lateRecognition = undefined;
            if (this.node.state === 'recognition') this.recognise();
          });
        }
        return;
      case 'BCP':
        if (s === 'recognition' && this.recognition === RECOGNISED) {
          this.bcp = m.values;
          this.node.cancel('BCP');
          this.node.stop('CRM');
          this.node.setState('configuration', 'BCP received');
          this.opts.stage.setVehicleLimits({
            maxVoltageV: m.values.maxChargeVoltageV,
            maxCurrentA: fault('cml-exceeds-bcp') ? undefined : m.values.maxChargeCurrentA,
          });
          this.node.start('CTS');
          this.node.start('CML', 2);
          if (fault('cro-ready-early')) this.node.send('CRO', { ready: READY });
          if (!fault('ignores-bro-timeout')) this.node.kick('BRO');
        }
        return;
      case 'BRO':
        if (s === 'configuration') {
          if (this.node.armed('BRO')) {
            this.node.cancel('BRO');
            if (!fault('ignores-bro-timeout')) this.node.kick('BRO_AA');
          }
          if (m.values.ready === READY) {
            this.node.cancel('BRO_AA');
            this.enterPrecharge();
          }
        }
        return;
      case 'BCL':
        if (s === 'precharge' || s === 'charging') {
          this.bcl = m.values;
          if (!fault('ignores-bcl-timeout')) this.node.kick('BCL', m.t);
          if (s === 'precharge' && this.croReady) this.enterCharging();
          this.applyRequest();
        }
        return;
      case 'BCS':
        if (s === 'charging' || (s === 'precharge' && this.croReady)) {
          if (!fault('ignores-bcs-timeout')) this.node.kick('BCS', m.t);
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
          this.node.event('vehicle-error', { bem: m.values });
          this.enterError({}, 'BEM from the vehicle');
        }
        return;
      default:
        return;
    }
  }

  private enterRecognition(): void {
    const fault = (n: string) => this.opts.faults.has(n);
    this.node.stop('CHM');
    this.node.setState('recognition', 'insulation test done');
    if (fault('wrong-crm-sequence')) {
      // The fault: claims recognition before the vehicle identified itself.
      this.recognition = RECOGNISED;
      this.node.start('CRM');
      if (!fault('ignores-bcp-timeout')) this.node.kick('BCP');
      return;
    }
    this.recognition = NOT_RECOGNISED;
    this.node.start('CRM');
    if (!fault('ignores-brm-timeout')) this.node.kick('BRM');
  }

  /** BRM answered: CRM(0xAA) at once, then every period, and the BCP timeout starts. */
  private recognise(): void {
    const fault = (n: string) => this.opts.faults.has(n);
    this.recognition = RECOGNISED;
    if (fault('cml-before-bcp')) this.node.send('CML', cml(this.opts.ratings));
    this.node.start('CRM');
    if (!fault('ignores-bcp-timeout')) this.node.kick('BCP');
  }

  private enterPrecharge(): void {
    this.node.setState('precharge', 'BRO(0xAA): vehicle ready; precharging');
    this.node.stop('CTS');
    this.node.stop('CML');
    this.croReady = false;
    this.node.start('CRO');
    if (this.opts.faults.has('ccs-before-cro')) this.node.start('CCS');
    // The vehicle closed its contactors before BRO(0xAA): the charger measures the battery at its output
    // and precharges to that (BCP's reported voltage only when nothing is measurable there).
    const measured = this.opts.stage.present().voltageV;
    const target = measured > 50 ? measured : (this.bcp?.batteryVoltageV ?? 0);
    this.opts.stage.precharge(target);
    const started = this.opts.clock.nowMs();
    const tol = this.opts.prechargeToleranceV ?? 10;
    const maxMs = this.opts.prechargeMaxMs ?? 5000;
    const poll = this.node.repeat(10, () => {
      if (this.node.state !== 'precharge') return poll.cancel();
      const v = this.opts.stage.present().voltageV;
      if (Math.abs(v - target) <= tol || this.opts.clock.nowMs() - started >= maxMs) {
        poll.cancel();
        // The fault: precharged, but never reports ready (CRO stays 0x00).
        if (this.opts.faults.has('cro-never-ready')) return;
        this.opts.stage.startCharging();
        this.croReady = true;
        this.node.start('CRO');
        this.node.event('cro-ready', { outputVoltageV: v, batteryVoltageV: target });
        // BCL must follow CRO(0xAA): the same 1 s the running BCL timeout uses.
        if (!this.opts.faults.has('ignores-bcl-timeout')) this.node.kick('BCL');
      }
    });
  }

  private enterCharging(): void {
    this.node.stop('CRO');
    this.node.setState('charging', 'first BCL after CRO(0xAA)');
    this.meter.start();
    this.node.start('CCS');
    if (!this.opts.faults.has('ignores-bcs-timeout')) this.node.kick('BCS');
  }

  private onBsm(v: BSM): void {
    const abnormal = [v.cellVoltageStatus, v.socStatus, v.overCurrent, v.overTemperature, v.insulation, v.outputConnector].some(
      (x) => x === STATUS.active,
    );
    if (abnormal) return this.enterStopping({ faultStop: STATUS.active }, 'charger');
    const pause = v.chargingPermitted === STATUS.normal && !this.opts.faults.has('ignores-bsm-pause');
    if (pause !== this.paused) {
      this.paused = pause;
      this.node.event(pause ? 'paused' : 'resumed', {});
      this.applyRequest();
    }
  }

  private applyRequest(): void {
    if (this.node.state !== 'charging' || !this.bcl) return;
    const capA = this.opts.faults.has('cml-exceeds-bcp')
      ? cmlMaxA(this.opts.ratings)
      : Math.min(cmlMaxA(this.opts.ratings), this.bcp?.maxChargeCurrentA ?? GBT_MAX_CURRENT_A);
    const currentA = this.paused ? 0 : Math.min(this.bcl.currentDemandA, capA);
    this.opts.stage.request({ currentA, voltageV: this.bcl.voltageDemandV });
  }

  private enterStopping(reason: Partial<CST>, who: 'vehicle' | 'charger'): void {
    this.stopSessionTasks();
    this.cst = reason;
    this.node.setState('stopping', who === 'vehicle' ? 'BST received' : 'charger stops');
    const fault = (n: string) => who === 'vehicle' && this.opts.faults.has(n);
    if (!fault('no-cst-after-bst')) this.node.start('CST');
    if (fault('slow-stop-after-bst')) slowStop(this.node, this.opts.stage, this.bcl?.voltageDemandV ?? 0);
    else if (fault('output-on-after-bst')) lateStop(this.node, this.opts.stage, 12000);
    else this.opts.stage.stop(who);
    // Statistics follow the stop: at the latest when the output is off, or when BSD arrives.
    const poll = this.node.repeat(10, () => {
      if (this.node.state !== 'stopping') return poll.cancel();
      if (!this.opts.stage.outputEnabled) {
        poll.cancel();
        this.enterStatistics();
      }
    });
  }

  private enterStatistics(): void {
    if (this.node.state === 'statistics') return;
    this.node.stop('CST');
    this.node.setState('statistics', 'stop done');
    if (!this.opts.faults.has('no-csd')) this.node.start('CSD');
  }

  private enterError(cem: Partial<CEM>, why: string): void {
    this.stopSessionTasks();
    this.node.stop('CST');
    this.node.stop('CSD');
    this.cem = this.opts.faults.has('cem-wrong-bits') && Object.keys(cem).length ? { other: 1 } : cem;
    this.node.setState('error', why);
    if (Object.keys(cem).length) this.node.start('CEM');
    if (!this.opts.stage.outputEnabled) return;
    if (this.opts.faults.has('slow-stop-on-timeout') && Object.keys(cem).length)
      slowStop(this.node, this.opts.stage, this.bcl?.voltageDemandV ?? 0);
    else this.opts.stage.stop('charger');
  }

  private onTimeout(name: TimeoutName): void {
    this.node.event('timeout', { timer: name, ms: this.opts.timing.timeoutMs[name] });
    const cem = CEM_BITS[name] ?? { other: 1 };
    if (this.node.state === 'charging' || this.node.state === 'precharge') {
      // A lost demand while energy flows: stop at once (CST fault stop), and report the timeout (CEM).
      this.enterError(cem, `timeout ${name}`);
      this.cst = { faultStop: STATUS.active };
      this.node.start('CST');
      return;
    }
    this.enterError(cem, `timeout ${name}`);
  }

  private checkIdleReset(): void {
    if (this.node.state === 'idle') return;
    // Unplugged = silent for idleResetMs after a session ended, counted from the later of the last frame
    // and the end. Mid-session (a charger waiting for a message that never comes, as its timeout faults
    // do) only a silence of twice the generic 5 s timeout counts, so no timeout check is cut short.
    const ended =
      this.node.state === 'ended' || this.node.state === 'error' || this.node.state === 'statistics' || this.node.state === 'stopping';
    const limitMs = ended ? (this.opts.idleResetMs ?? 1000) : 2 * this.opts.timing.timeoutMs.general;
    const silentMs = (this.opts.clock.now() - Math.max(this.lastRxNs, this.node.stateSinceNs)) / 1e6;
    if (silentMs >= limitMs) {
      if (this.opts.stage.outputEnabled) this.opts.stage.stop('charger');
      this.toIdle('vehicle silent: unplugged');
    }
  }

  private toIdle(why: string): void {
    this.node.stopAll();
    this.recognition = NOT_RECOGNISED;
    this.lateRecognition?.cancel();
    this.lateRecognition = undefined;
    this.croReady = false;
    this.bcp = undefined;
    this.bcl = undefined;
    this.paused = false;
    this.cst = {};
    this.cem = {};
    this.node.setState('idle', why);
    this.node.start('CHM');
  }

  private stopSessionTasks(): void {
    this.node.stop('CHM', 'CRM', 'CTS', 'CML', 'CRO', 'CCS');
    this.node.cancelAllTimeouts();
  }
}
