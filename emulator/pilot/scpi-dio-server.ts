// An emulated SCPI digital I/O box on a raw TCP socket ('\n'-terminated, like port 5025 on a real one), so
// the `scpi-ce-id` pilot and a "physical" bench file can run end to end on loopback. It keeps settings the
// SCPI way: `HEADER a,b,v` stores v under `HEADER a,b`, and `HEADER? a,b` reads it back (so lab-specific
// relay commands work too, not only DIG:OUT:PORT). `DIG:IN:PORT? p` reads the input port the test sets.
// Fault hooks let tests show the driver's read-back check and reply parsing fail when they should.

import { startScpiLineServer } from '../scpi-line-server.ts';

export interface EmulatedDioServerOptions {
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** *IDN? reply. */
  idn?: string;
  /** Input ports at start (port → value). Default: port 1 = 1 (bit 0: connector inserted). */
  inputs?: Record<number, number>;
}

export interface EmulatedDioServer {
  readonly host: string;
  readonly port: number;
  /** Every command line received, in order (for transcript tests). */
  readonly received: string[];
  /** Stored settings, e.g. 'DIG:OUT:PORT 1' → '4'. */
  readonly settings: ReadonlyMap<string, string>;
  setInput(port: number, value: number): void;
  /** Fault: the outputs ignore writes (a relay driver without power, a wrong port). */
  stuckOutputs: boolean;
  /** Test hook: replace the reply to a query (undefined = answer normally). */
  replyHook: ((command: string, reply: string) => string | undefined) | undefined;
  close(): Promise<void>;
}

const UNDEFINED_HEADER = '-113,"Undefined header"';
const QUEUE_MAX = 10;

export async function startEmulatedDioServer(o: EmulatedDioServerOptions = {}): Promise<EmulatedDioServer> {
  const settings = new Map<string, string>();
  const inputs = new Map<number, number>(Object.entries(o.inputs ?? { 1: 1 }).map(([k, v]) => [Number(k), v]));
  const errors: string[] = [];
  const received: string[] = [];
  const idn = o.idn ?? 'mcs-hil,Emulated DIO box,EMU-DIO-0001,1.0';

  const state: EmulatedDioServer = {
    host: o.host ?? '127.0.0.1',
    port: 0,
    received,
    settings,
    setInput: (port, value) => void inputs.set(port, value),
    stuckOutputs: false,
    replyHook: undefined,
    close: async () => undefined,
  };

  /** One SCPI message unit; returns the reply for a query. */
  function execute(unit: string): string | undefined {
    const m = /^(\S+?)(\?)?(?:\s+(.*))?$/.exec(unit.trim());
    if (!m) return undefined;
    const header = m[1].toUpperCase();
    const isQuery = m[2] === '?';
    const args = (m[3] ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    if (isQuery) {
      if (header === '*IDN') return idn;
      if (header === 'SYST:ERR' || header === 'SYSTEM:ERROR') return errors.shift() ?? '+0,"No error"';
      if (header === '*OPC') return '1';
      if (header === 'DIG:IN:PORT' || header === 'DIGITAL:INPUT:PORT') return String(inputs.get(Number(args[0] ?? 1)) ?? 0);
      const key = [header, args.join(',')].filter(Boolean).join(' ');
      return settings.get(key) ?? '0';
    }
    if (header === '*RST') return void settings.clear();
    if (header === '*CLS') return void (errors.length = 0);
    if (!args.length) {
      if (errors.length < QUEUE_MAX) errors.push(UNDEFINED_HEADER);
      return undefined;
    }
    if (state.stuckOutputs) return undefined;
    const value = args.pop()!;
    settings.set([header, args.join(',')].filter(Boolean).join(' '), value);
    return undefined;
  }

  const lines = await startScpiLineServer({
    host: state.host,
    port: o.port,
    onLine: (line) => {
      received.push(line);
      const replies: string[] = [];
      for (const unit of line.split(';')) {
        const r = execute(unit);
        if (r !== undefined) replies.push(r);
      }
      if (!replies.length) return undefined;
      const reply = replies.join(';');
      return state.replyHook?.(line, reply) ?? reply;
    },
  });
  (state as { port: number }).port = lines.port;
  state.close = () => lines.close();
  return state;
}
