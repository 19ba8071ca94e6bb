// The emulated power analyser behind a SCPI line server: a raw socket on loopback, or in-process only on a
// virtual-time bench (no sockets there). It measures the DC bus it is given through its own tap, so it sees
// the inlet independently of the battery emulator on the same bus.

import type { Duplex } from 'node:stream';
import type { Clock } from '../../drivers/core/clock.ts';
import type { Timeline } from '../../drivers/core/timeline.ts';
import type { DcBus } from '../power/dc-bus.ts';
import { startInProcessScpiLineServer, startScpiLineServer } from '../scpi-line-server.ts';
import { EmulatedAnalyser } from './analyser.ts';
import { ANALYSER_DIALECT } from './analyser-dialect.ts';

export interface EmulatedAnalyserServerOptions {
  clock: Clock;
  timeline: Timeline;
  /** Timeline source of what the instrument itself records. */
  name: string;
  bus: Pick<DcBus, 'tap'>;
  /** 0 = any free port on 127.0.0.1; 'memory' = in-process only. */
  port: number | 'memory';
  faults?: ReadonlySet<string>;
  replyHook?: (command: string, reply: string) => string | undefined;
}

export interface EmulatedAnalyserServer {
  readonly host: string;
  readonly port: number;
  connectInProcess(): Duplex;
  /** Program lines received, in order (for tests). */
  readonly received: string[];
  close(): Promise<void>;
}

export async function startEmulatedAnalyser(o: EmulatedAnalyserServerOptions): Promise<EmulatedAnalyserServer> {
  const analyser = new EmulatedAnalyser({
    clock: o.clock,
    dialect: ANALYSER_DIALECT,
    tap: o.bus.tap(),
    faults: o.faults,
    replyHook: o.replyHook,
  });
  const received: string[] = [];
  const onLine = (line: string) => {
    received.push(line);
    const replies = analyser.execute(line);
    return replies.length ? replies.join('\n') : undefined;
  };
  const lines =
    o.port === 'memory' ? startInProcessScpiLineServer({ onLine }) : await startScpiLineServer({ host: '127.0.0.1', port: o.port, onLine });
  o.timeline.record('instrument', o.name, { event: 'scpi-server', host: lines.host, port: lines.port, class: 'power-analyser' });
  return { host: lines.host, port: lines.port, connectInProcess: () => lines.connectInProcess(), received, close: () => lines.close() };
}
