// The TCP side every emulated SCPI instrument shares: a raw-socket server (as on port 5025) that splits
// what it receives into newline-terminated program lines, hands each to the instrument, and writes the
// instrument's reply back. The instrument logic stays in its own file.

import { createServer, type Server, type Socket } from 'node:net';

export interface ScpiLineServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** `onLine` returns the reply to write (without the newline), or undefined for a command with none. */
export async function startScpiLineServer(opts: {
  host: string;
  port?: number;
  onLine: (line: string) => string | undefined;
}): Promise<ScpiLineServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    let buf = '';
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '').trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const reply = opts.onLine(line);
        if (reply !== undefined) socket.write(reply + '\n', 'latin1'); // binary blocks hold one byte per char
      }
    });
    socket.on('error', () => undefined);
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
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
