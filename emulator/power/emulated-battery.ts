// The emulated battery (resource kind 'emulated-battery', benches/kinds/emulated-battery.ts): the vehicle's battery
// (from the bench's vehicle profile) behind its contactors on the true DC bus, which an emulated charger
// attaches its power stage to (attachSource). It is also the bench's power analyser: it samples the inlet
// at 1 kS/s onto the timeline in 50 ms blocks — the same records a physical SCPI battery emulator produces,
// so the assertions cannot tell them apart.

import type { Clock, TimerHandle } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import type { BatteryEmulator, BatteryEmulatorProtection, BatteryEmulatorReading } from '../../drivers/scpi/battery-emulator.ts';
import type { VehicleProfile } from '../../drivers/vehicle/profile.ts';
import { Battery } from './battery.ts';
import { BUS_TICK_NS, DcBus, type BusLoad, type BusSource } from './dc-bus.ts';
import { Prng } from './prng.ts';

export const EMULATED_BATTERY_KIND = 'emulated-battery';
/** The kind's old name, still accepted in bench files and reported as deprecated. */
export const DEPRECATED_EMULATED_BATTERY_KIND = 'emulated-battery-emulator';

export interface EmulatedBatteryConfig {
  /** Length of one sample block on the timeline (ms). */
  blockMs?: number;
  /** Instrument measurement noise (rms) on current (A) and voltage (V). */
  noiseA?: number;
  noiseV?: number;
  seed?: number;
  /** Start streaming when opened (default true; off when it serves SCPI). */
  stream?: boolean;
  /** Also serve this battery as an RP7900-class instrument over SCPI on loopback at this port (0 = any), or in-process ('memory'). */
  scpiPort?: number | 'memory';
  /** The instrument class it is served as (emulator/power/scpi-server.ts); default rp7900. */
  scpiClass?: string;
  /** Served as this many parallel units, each with its own SCPI server (emulator/instruments/parallel-units.ts). */
  scpiUnits?: number;
}

/** The vehicle side of the bus: the battery model, or a fixed voltage + R once a test sets one. */
class SwitchableLoad implements BusLoad {
  connected = false;
  fixedV: number | undefined;
  fixedOhm: number | undefined;
  constructor(readonly battery: Battery) {}
  internalV(): number {
    return this.fixedV ?? this.battery.internalV();
  }
  seriesOhm(): number {
    return this.fixedOhm ?? this.battery.params.r0Ohm;
  }
  step(currentA: number, dtS: number): void {
    this.battery.step(currentA, dtS); // the pack keeps counting charge even when a test holds the voltage
  }
}

export class EmulatedBattery implements BatteryEmulator {
  readonly kind = EMULATED_BATTERY_KIND;
  readonly sampleRateHz = 1e9 / BUS_TICK_NS;
  readonly bus: DcBus;
  readonly battery: Battery;
  private readonly load: SwitchableLoad;
  private readonly rng: Prng;
  private readonly blockMs: number;
  private readonly noiseA: number;
  private readonly noiseV: number;
  private timer: TimerHandle | undefined;
  private protection: BatteryEmulatorProtection = {};
  private watchdogS: number | undefined;
  private lastIoNs: number;
  private closed = false;
  /** Served as a SCPI instrument: its Elog is the one consumer of the bus samples, so no blocks of its own. */
  private readonly servedOverScpi: boolean;
  private closers: (() => Promise<void>)[] = [];

  constructor(
    readonly name: string,
    readonly clock: Clock,
    readonly timeline: Timeline,
    readonly profile: VehicleProfile,
    config: EmulatedBatteryConfig = {},
    /** Fault switches of the run: 'battery-contactors-welded' (closed from the start, never open). */
    private readonly faults: ReadonlySet<string> = new Set(),
  ) {
    this.bus = new DcBus(clock);
    this.battery = Battery.fromProfile(profile);
    this.load = new SwitchableLoad(this.battery);
    this.bus.attachLoad(this.load);
    this.rng = new Prng(config.seed ?? 7);
    this.blockMs = config.blockMs ?? 50;
    this.servedOverScpi = config.scpiPort !== undefined;
    this.noiseA = config.noiseA ?? 0.05;
    this.noiseV = config.noiseV ?? 0.05;
    this.lastIoNs = clock.now();
    this.load.connected = faults.has('battery-contactors-welded');
  }

  get source(): string {
    return this.name;
  }

  get outputOn(): boolean {
    return this.load.connected;
  }

  /** Connect an emulated charger's power stage to the bus (idempotent). */
  attachSource(stage: BusSource): void {
    this.bus.attachSource(stage);
  }

  detachSource(stage: BusSource): void {
    this.bus.detachSource(stage);
  }

  async setBatteryVoltage(voltageV: number): Promise<void> {
    this.io('set battery voltage', { voltageV });
    this.bus.sync();
    this.load.fixedV = voltageV;
  }

  /** Go back to the battery model (after setBatteryVoltage). */
  async useBatteryModel(): Promise<void> {
    this.io('use battery model', {});
    this.bus.sync();
    this.load.fixedV = undefined;
    this.load.fixedOhm = undefined;
  }

  async setSeriesResistance(ohm: number): Promise<void> {
    this.io('set series resistance', { ohm });
    this.bus.sync();
    this.load.fixedOhm = ohm;
  }

  async setOutput(on: boolean): Promise<void> {
    if (this.faults.has('battery-contactors-welded')) return void this.io('output (welded: stays closed)', { on });
    this.io('output', { on });
    this.bus.sync();
    this.load.connected = on;
  }

  async setProtection(p: BatteryEmulatorProtection): Promise<void> {
    this.io('protection', { ...p });
    this.protection = { ...p };
  }

  async setWatchdog(delayS: number | undefined): Promise<void> {
    this.io('watchdog', { delayS: delayS ?? null });
    this.watchdogS = delayS;
  }

  async batteryVoltageV(): Promise<number> {
    this.bus.sync();
    return this.load.internalV();
  }

  /** batteryVoltageV() without the promise (the emulated SCPI server answers synchronously). */
  batteryVoltageNowV(): number {
    this.bus.sync();
    return this.load.internalV();
  }

  async read(): Promise<BatteryEmulatorReading> {
    this.lastIoNs = this.clock.now();
    const s = this.bus.state();
    return { voltageV: s.voltageV + this.noiseV * this.rng.gauss(), currentA: s.currentA + this.noiseA * this.rng.gauss() };
  }

  async startStreaming(): Promise<void> {
    if (this.timer || this.closed) return;
    this.timeline.record('instrument', this.name, { event: 'streaming', on: true, sampleRateHz: this.sampleRateHz });
    const tick = () => {
      this.emitBlock();
      this.checkProtections();
      if (!this.closed && this.timer) this.timer = this.clock.setTimer(this.blockMs, tick);
    };
    this.timer = this.clock.setTimer(this.blockMs, tick);
  }

  async stopStreaming(): Promise<void> {
    this.emitBlock();
    this.timer?.cancel();
    this.timer = undefined;
    this.timeline.record('instrument', this.name, { event: 'streaming', on: false });
  }

  async flush(): Promise<void> {
    this.emitBlock();
  }

  async injectInsulationFault(ohm: number | undefined): Promise<void> {
    this.io('insulation fault', { ohm: ohm ?? null });
    this.bus.sync();
    this.bus.insulationOhm = ohm ?? 10e6;
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.emitBlock();
    if (this.load.connected) await this.setOutput(false);
  }

  async safeState(): Promise<void> {
    await this.shutdown();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.shutdown();
    this.timer?.cancel();
    this.timer = undefined;
    this.closed = true;
    for (const c of this.closers.splice(0)) await c().catch(() => undefined);
  }

  /** Run fn when the instrument closes (e.g. stop the SCPI server that serves it). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  identity(): Record<string, string> {
    return { instrument: 'emulated battery', vehicleProfile: this.profile.name, sampleRateHz: String(this.sampleRateHz) };
  }

  private emitBlock(): void {
    if (this.closed || this.servedOverScpi) return;
    const d = this.bus.drain();
    if (!d.voltageV.length) return;
    const voltageV = d.voltageV.map((v) => round3(v + this.noiseV * this.rng.gauss()));
    const currentA = d.currentA.map((i) => round3(i + this.noiseA * this.rng.gauss()));
    this.timeline.record(
      'samples',
      this.name,
      { t0: d.t0, dt: d.dt, channels: { voltageV, currentA } },
      d.t0 + (voltageV.length - 1) * d.dt,
    );
  }

  /** The instrument's own protections and watchdog latch the output off, as the real one does. */
  private checkProtections(): void {
    if (!this.load.connected) return;
    const s = this.bus.state();
    const why =
      this.protection.ovpV !== undefined && s.voltageV > this.protection.ovpV
        ? 'over-voltage protection'
        : this.protection.ocpA !== undefined && s.currentA > this.protection.ocpA
          ? 'over-current protection'
          : this.watchdogS !== undefined && this.clock.now() - this.lastIoNs > this.watchdogS * 1e9
            ? 'I/O watchdog'
            : undefined;
    if (!why) return;
    this.load.connected = false;
    this.timeline.record('instrument', this.name, { event: 'protection', reason: why, voltageV: s.voltageV, currentA: s.currentA });
  }

  private io(command: string, data: Record<string, unknown>): void {
    this.lastIoNs = this.clock.now();
    this.timeline.record('instrument', this.name, { event: 'command', command, ...data });
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
