// The raw SCPI socket a bench resource talks over: on the bench's clock, recorded on its timeline under the
// resource's name. Shared by every SCPI resource kind so they all connect (and time out) the same way.

import { SCPI_RAW_PORT, TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import type { OpenContext } from '../registry.ts';

export interface ScpiEndpoint {
  host: string;
  port?: number;
  /** Connection and per-reply timeout, ms of bench clock time (the transport's default when absent). */
  timeoutMs?: number;
}

export function connectScpiResource(source: string, at: ScpiEndpoint, ctx: OpenContext): Promise<TcpScpiTransport> {
  const { host, port, timeoutMs } = at;
  return TcpScpiTransport.connect({ host, port, clock: ctx.clock, timeline: ctx.timeline, source, timeoutMs });
}

/** The bench-file properties that say where the box's socket is (host, port, timeout); `host` says what the box is. */
export function scpiSocketProperties(host: string) {
  return {
    host: { type: 'string', minLength: 1, description: host },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: SCPI_RAW_PORT, description: 'Raw SCPI socket port.' },
    timeoutMs: { type: 'integer', minimum: 1, default: 2000, description: 'Connect and per-reply timeout (ms).' },
  };
}
