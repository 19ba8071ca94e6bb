// The side every emulated SCPI instrument shares: a raw-socket server (as on port 5025) that splits what it
// receives into newline-terminated program lines, hands each to the instrument, and writes the instrument's
// reply back. The same line handling serves an in-process stream (a virtual-time bench has no sockets).
// The instrument logic stays in its own file.

import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { memoryStreamPair } from '../drivers/core/memory-stream.ts';

type LineHandler = (line: string) => string | undefined;

export interface ScpiLineServer {
  /** 'memory' for an in-process server (port 0). */
  readonly host: string;
  readonly port: number;
  /** A new in-process connection to this server: the client's end of a memory stream pair. */
  connectInProcess(): Duplex;
  close(): Promise<void>;
}

/** Serve one connection: program lines in, replies out. */
function serveLines(stream: Duplex, onLine: LineHandler): void {
  stream.setEncoding('latin1');
  let buf = '';
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '').trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const reply = onLine(line);
      if (reply !== undefined) stream.write(reply + '\n', 'latin1'); // binary blocks hold one byte per char
    }
  });
  stream.on('error', () => undefined);
}

/** Connections made in-process (memory stream pairs); `host` is 'memory' and there is no port. */
function inProcessConnections(onLine: LineHandler, streams: Set<Duplex>) {
  return (): Duplex => {
    const [client, server] = memoryStreamPair();
    streams.add(server);
    server.on('close', () => streams.delete(server));
    serveLines(server, onLine);
    return client;
  };
}

/** An emulated instrument reachable only in-process (virtual-time benches): no socket at all. */
export function startInProcessScpiLineServer(opts: { onLine: LineHandler }): ScpiLineServer {
  const streams = new Set<Duplex>();
  return {
    host: 'memory',
    port: 0,
    connectInProcess: inProcessConnections(opts.onLine, streams),
    async close() {
      for (const s of streams) s.destroy();
    },
  };
}

/** `onLine` returns the reply to write (without the newline), or undefined for a command with none. */
export async function startScpiLineServer(opts: { host: string; port?: number; onLine: LineHandler }): Promise<ScpiLineServer> {
  const sockets = new Set<Socket>();
  const streams = new Set<Duplex>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    serveLines(socket, opts.onLine);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host, () => resolve());
  });
  const addr = server.address();
  return {
    host: opts.host,
    port: typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0),
    connectInProcess: inProcessConnections(opts.onLine, streams),
    async close() {
      for (const s of sockets) s.destroy();
      for (const s of streams) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
