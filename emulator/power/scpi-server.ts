// An emulated RP7900-class battery emulator behind a real SCPI raw socket (TCP, '\n'-terminated), backed
// by the emulated DC bus and battery: the SCPI driver (drivers/scpi/rp7900.ts) and a "physical" bench
// file can be exercised end to end on loopback, with an emulated charger pushing real (emulated) current.
// It answers the subset our driver uses, keeps an error queue like an instrument (-113 undefined header,
// -222 data out of range …), latches the output off on OVP or its I/O watchdog, and serves the Elog FIFO.

import { startScpiLineServer } from '../scpi-line-server.ts';
import type { Clock, TimerHandle } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import { loadVehicleProfile } from '../../drivers/vehicle/profile.ts';
import { EmulatedBattery } from './emulated-battery.ts';

export interface EmulatedScpiServerOptions {
  clock: Clock;
  timeline: Timeline;
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** The emulated instrument whose bus it serves (it must not stream itself); made from the profile when absent. */
  instrument?: EmulatedBattery;
  vehicleProfile?: string;
  /** Identity string for *IDN?. */
  idn?: string;
  maxVoltageV?: number;
  maxCurrentA?: number;
  /** Test hook: replace the reply to a query (return undefined to answer normally). */
  replyHook?: (command: string, reply: string) => string | undefined;
  /** Elog FIFO capacity (records). Default 200 000 (the RP7900 holds ~20 s; more here because a scaled
   * clock makes a busy host miss many records in a short real pause). */
  fifoRecords?: number;
}

export interface EmulatedScpiServer {
  readonly port: number;
  readonly host: string;
  readonly instrument: EmulatedBattery;
  /** Commands received, in order (for tests). */
  readonly received: string[];
  close(): Promise<void>;
}

const ERR = {
  undefinedHeader: '-113,"Undefined header"',
  dataOutOfRange: '-222,"Data out of range"',
  dataType: '-104,"Data type error"',
  queueOverflow: '-350,"Queue overflow"',
};

export async function startEmulatedScpiServer(o: EmulatedScpiServerOptions): Promise<EmulatedScpiServer> {
  const instrument =
    o.instrument ??
    new EmulatedBattery('scpi-battery', o.clock, o.timeline, loadVehicleProfile(o.vehicleProfile ?? 'truck-lfp-620kwh'), { stream: false });
  const state = new InstrumentState(o, instrument);
  const received: string[] = [];
  const host = o.host ?? '127.0.0.1';
  const lines = await startScpiLineServer({
    host,
    port: o.port,
    onLine: (line) => {
      received.push(line);
      const replies = state.execute(line);
      return replies.length ? replies.join('\n') : undefined;
    },
  });
  const port = lines.port;
  o.timeline.record('instrument', instrument.name, { event: 'scpi-server', host, port });
  return {
    port,
    host,
    instrument,
    received,
    async close() {
      state.stop();
      await lines.close();
    },
  };
}

/** The instrument's settings, error queue, Elog FIFO and protections. */
class InstrumentState {
  private errors: string[] = [];
  private resistanceOhm = 0;
  private resistanceOn = false;
  private ovpV: number;
  private sinkLimitA: number;
  private wdogOn = false;
  private wdogDelayS = 60;
  private lastIoNs: number;
  private elogPeriodS = 0.001;
  private elogFuncs = { VOLT: false, CURR: false, MINM: false };
  private elogState: 'idle' | 'armed' | 'running' = 'idle';
  private fifo: number[] = []; // interleaved: current (sourcing +), voltage
  private acc = { n: 0, i: 0, v: 0 };
  private timer: TimerHandle | undefined;
  private readonly maxV: number;
  private readonly maxI: number;
  private readonly fifoRecords: number;

  constructor(
    private readonly o: EmulatedScpiServerOptions,
    private readonly inst: EmulatedBattery,
  ) {
    this.maxV = o.maxVoltageV ?? 1500;
    this.maxI = o.maxCurrentA ?? 3000;
    this.ovpV = this.maxV * 1.05;
    this.sinkLimitA = -this.maxI;
    this.fifoRecords = o.fifoRecords ?? 200_000;
    this.lastIoNs = o.clock.now();
    this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  execute(line: string): string[] {
    this.lastIoNs = this.o.clock.now();
    const out: string[] = [];
    for (const part of line.split(';')) {
      const cmd = part.trim();
      if (!cmd) continue;
      const reply = this.one(cmd);
      if (reply !== undefined) out.push(this.o.replyHook?.(cmd, reply) ?? reply);
    }
    return out;
  }

  private one(raw: string): string | undefined {
    const [headerRaw, ...rest] = raw.split(/\s+/);
    const arg = rest.join(' ');
    const header = headerRaw
      .toUpperCase()
      .replace(/^:/, '')
      .replace(/^SOUR(CE)?:/, '');
    const query = header.endsWith('?');
    const h = query ? header.slice(0, -1) : header;
    const bus = this.inst.bus;
    this.collect();
    switch (query ? `${h}?` : h) {
      case '*IDN?':
        return this.o.idn ?? 'mcs-hil,Emulated RP7952A,EMU-SCPI-0001,A.00.00-emulated';
      case '*CLS':
        this.errors = [];
        return;
      case '*RST':
        this.resistanceOhm = 0;
        this.resistanceOn = false;
        void this.inst.setOutput(false);
        this.elogState = 'idle';
        return;
      case '*OPC?':
        return '1';
      case 'SYST:ERR?':
        return this.errors.shift() ?? '+0,"No error"';
      case 'VOLT':
        return this.num(arg, 0, this.maxV, (v) => void this.inst.setBatteryVoltage(v));
      case 'VOLT?':
        return fmt(this.inst.batteryVoltageNowV());
      case 'VOLT:RES':
        return this.num(arg, 0, 1, (v) => {
          this.resistanceOhm = v;
          if (this.resistanceOn) void this.inst.setSeriesResistance(v);
        });
      case 'VOLT:RES?':
        return fmt(this.resistanceOhm);
      case 'VOLT:RES:STAT':
        return this.bool(arg, (on) => {
          this.resistanceOn = on;
          if (on) void this.inst.setSeriesResistance(this.resistanceOhm);
        });
      case 'VOLT:RES:STAT?':
        return this.resistanceOn ? '1' : '0';
      case 'OUTP':
        return this.bool(arg, (on) => void this.inst.setOutput(on));
      case 'OUTP?':
        return this.inst.outputOn ? '1' : '0';
      case 'VOLT:PROT:LEV':
        return this.num(arg, 0, this.maxV * 1.1, (v) => (this.ovpV = v));
      case 'VOLT:PROT:LEV?':
        return fmt(this.ovpV);
      case 'CURR:LIM:NEG':
        return this.num(arg, -this.maxI, 0, (v) => (this.sinkLimitA = v));
      case 'CURR:LIM:NEG?':
        return fmt(this.sinkLimitA);
      case 'OUTP:PROT:WDOG':
        return this.bool(arg, (on) => (this.wdogOn = on));
      case 'OUTP:PROT:WDOG?':
        return this.wdogOn ? '1' : '0';
      case 'OUTP:PROT:WDOG:DEL':
        return this.num(arg, 1, 3600, (v) => (this.wdogDelayS = v));
      case 'OUTP:PROT:WDOG:DEL?':
        return fmt(this.wdogDelayS);
      case 'MEAS:VOLT?':
        return fmt(bus.state().voltageV);
      case 'MEAS:CURR?':
        return fmt(-bus.state().currentA);
      case 'SENS:ELOG:FUNC:VOLT':
      case 'SENS:ELOG:FUNC:CURR':
      case 'SENS:ELOG:FUNC:MINM':
        return this.bool(arg, (on) => (this.elogFuncs[h.split(':').at(-1) as 'VOLT' | 'CURR' | 'MINM'] = on));
      case 'SENS:ELOG:PER':
        return this.num(arg, 204.8e-6, 60, (v) => (this.elogPeriodS = v));
      case 'INIT:ELOG':
        this.elogState = 'armed';
        return;
      case 'TRIG:ELOG':
        if (this.elogState === 'armed') {
          this.elogState = 'running';
          this.fifo = [];
          this.acc = { n: 0, i: 0, v: 0 };
        }
        return;
      case 'ABOR:ELOG':
        this.elogState = 'idle';
        return;
      case 'FETC:ELOG?': {
        const n = Math.max(1, Math.floor(Number(arg) || 1));
        const take = this.fifo.splice(0, 2 * n);
        return take.map((x) => fmt(x)).join(',');
      }
      default:
        this.errors.push(ERR.undefinedHeader);
        return query ? '' : undefined;
    }
  }

  private num(arg: string, lo: number, hi: number, apply: (v: number) => void): undefined {
    const v = Number(arg.trim());
    if (!arg.trim() || !Number.isFinite(v)) this.errors.push(ERR.dataType);
    else if (v < lo || v > hi) this.errors.push(ERR.dataOutOfRange);
    else apply(v);
    return undefined;
  }

  private bool(arg: string, apply: (on: boolean) => void): undefined {
    const a = arg.trim().toUpperCase();
    if (a === '1' || a === 'ON') apply(true);
    else if (a === '0' || a === 'OFF') apply(false);
    else this.errors.push(ERR.dataType);
    return undefined;
  }

  /** Move bus samples into the Elog FIFO (averaged per Elog period) and run the protections. */
  private collect(): void {
    const d = this.inst.bus.drain();
    const per = Math.max(1, Math.round((this.elogPeriodS * 1e9) / d.dt));
    for (let k = 0; k < d.voltageV.length; k++) {
      if (this.inst.outputOn && d.voltageV[k] > this.ovpV) {
        void this.inst.setOutput(false);
        this.o.timeline.record('instrument', this.inst.name, {
          event: 'protection',
          reason: 'over-voltage protection',
          voltageV: d.voltageV[k],
        });
      }
      if (this.elogState !== 'running') continue;
      this.acc.n++;
      this.acc.i += d.currentA[k];
      this.acc.v += d.voltageV[k];
      if (this.acc.n === per) {
        this.fifo.push(-this.acc.i / per, this.acc.v / per);
        this.acc = { n: 0, i: 0, v: 0 };
      }
    }
    if (this.fifo.length > 2 * this.fifoRecords) {
      this.fifo.splice(0, this.fifo.length - 2 * this.fifoRecords);
      this.errors.push(ERR.queueOverflow);
    }
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimer(100, () => {
      this.collect();
      if (this.wdogOn && this.inst.outputOn && this.o.clock.now() - this.lastIoNs > this.wdogDelayS * 1e9) {
        void this.inst.setOutput(false);
        this.o.timeline.record('instrument', this.inst.name, { event: 'protection', reason: 'I/O watchdog' });
      }
      this.schedule();
    });
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 1e4) / 1e4);
}
