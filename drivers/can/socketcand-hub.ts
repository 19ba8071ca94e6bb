// Our socketcand-compatible server (`mcs-hil can hub`): many TCP clients, named buses (`< open NAME >`),
// rawmode fan-out of every frame to all *other* raw clients on the same bus. It speaks exactly what
// linux-can/socketcand speaks, so python-can's `socketcand` interface and our own client both attach;
// virtual buses thereby span processes without kernel CAN.
//
// python-can's client reads each handshake reply with one recv() and compares it to "< hi >" / "< ok >"
// exactly, so every handshake reply goes out in its own write and no frame is written to a client
// until `rawGraceMs` after its rawmode "< ok >" (frames that arrive meanwhile are queued, not dropped).

import { createServer, type Server, type Socket } from 'node:net';
import { RealClock, type Clock } from '../core/clock.ts';
import { CanFrameError, validateFrame, type CanFrame } from './frame.ts';
import { formatFrame, MessageSplitter, parseFdSend, parseSend, SOCKETCAND_PORT, tokens } from './socketcand-protocol.ts';

export interface SocketcandHubOptions {
  host?: string;
  /** 0 picks a free port (see `address()` after listen). Default 29536. */
  port?: number;
  /** Bus names clients may open; any name when omitted. */
  buses?: string[];
  /** Clock for frame timestamps and the grace timer (a RealClock by default: the hub serves real sockets). */
  clock?: Clock;
  /** Hold frames for a client this long after its rawmode "< ok >" (python-can compatibility). Default 20 ms. */
  rawGraceMs?: number;
  /** Bytes queued for one client before it counts as stalled and is disconnected. Default 16 MiB. */
  maxBufferedBytes?: number;
  /** Called for protocol problems (bad client input); the hub keeps serving. */
  onProblem?: (p: HubProblem) => void;
}

export interface HubProblem {
  client: string;
  message: string;
  error?: Error;
}

type ClientState = 'nobus' | 'bcm' | 'raw' | 'control' | 'isotp';

interface Client {
  socket: Socket;
  name: string;
  state: ClientState;
  bus?: string;
  splitter: MessageSplitter;
  /** Frames held until the rawmode grace is over (undefined once the client is live). */
  held?: string[];
  corked: boolean;
  rxFrames: number;
  txFrames: number;
}

export interface HubStats {
  clients: number;
  buses: Record<string, { clients: number; frames: number }>;
  problems: number;
}

export class SocketcandHub {
  private server: Server | undefined;
  private readonly clients = new Set<Client>();
  private readonly busClients = new Map<string, Set<Client>>();
  private readonly busFrames = new Map<string, number>();
  private readonly clock: Clock;
  private readonly wallOffsetUs: number;
  private problems = 0;
  private nextClientId = 1;

  constructor(private readonly opts: SocketcandHubOptions = {}) {
    this.clock = opts.clock ?? new RealClock();
    this.wallOffsetUs = (this.clock.wallMs() - this.clock.nowMs()) * 1000;
  }

  /** Start listening; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    const port = this.opts.port ?? SOCKETCAND_PORT;
    return new Promise((resolve, reject) => {
      const server = createServer((s) => this.accept(s));
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.problem('server', `server error: ${err.message}`, err));
        this.server = server;
        resolve(this.address());
      });
    });
  }

  address(): { host: string; port: number } {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new Error('hub is not listening');
    return { host: a.address, port: a.port };
  }

  stats(): HubStats {
    const buses: HubStats['buses'] = {};
    for (const [name, set] of this.busClients) buses[name] = { clients: set.size, frames: this.busFrames.get(name) ?? 0 };
    return { clients: this.clients.size, buses, problems: this.problems };
  }

  /** Disconnect every client and stop listening. */
  async close(): Promise<void> {
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
    this.busClients.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private accept(socket: Socket): void {
    const client: Client = {
      socket,
      name: `client#${this.nextClientId++} ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      state: 'nobus',
      splitter: new MessageSplitter(),
      corked: false,
      rxFrames: 0,
      txFrames: 0,
    };
    this.clients.add(client);
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(client, chunk));
    socket.on('error', () => {
      /* a reset by the peer ends the client like a close */
    });
    socket.on('close', () => this.drop(client));
    socket.write('< hi >');
  }

  private drop(client: Client): void {
    this.clients.delete(client);
    if (client.bus) this.busClients.get(client.bus)?.delete(client);
  }

  private onData(client: Client, chunk: string): void {
    const { messages, junk } = client.splitter.push(chunk);
    for (const j of junk) this.reject(client, `text outside < … >: '${j.slice(0, 60)}'`);
    for (const m of messages) {
      try {
        this.command(client, m);
      } catch (err) {
        const e = err as Error;
        this.reject(client, e.message, e);
      }
    }
  }

  /** A bad command: tell the client (socketcand style) and carry on. */
  private reject(client: Client, message: string, error?: Error): void {
    this.problem(client.name, message, error);
    if (!client.socket.destroyed) client.socket.write(`< error ${message.replace(/[<>]/g, '')} >`);
  }

  private problem(clientName: string, message: string, error?: Error): void {
    this.problems++;
    this.opts.onProblem?.({ client: clientName, message, error });
  }

  private command(client: Client, inner: string): void {
    const tk = tokens(inner);
    const where = `${client.name} '< ${inner.slice(0, 80)} >'`;
    const verb = tk[0] ?? '';
    if (client.state === 'nobus') {
      if (verb === 'open' && tk.length === 2) return this.open(client, tk[1]);
      if (tk.length >= 2 && (tk[1] === 'B' || tk[1] === 'C')) {
        // Bit timing / control modes of a virtual bus: nothing to configure, accept like a real daemon would.
        client.socket.write('< ok >');
        return;
      }
      throw new CanFrameError(`unknown command (open a bus first: < open NAME >)`, where);
    }
    switch (verb) {
      case 'rawmode':
        return this.enterRaw(client);
      case 'bcmmode':
      case 'controlmode':
      case 'isotpmode':
        client.state = verb === 'bcmmode' ? 'bcm' : verb === 'controlmode' ? 'control' : 'isotp';
        client.held = undefined;
        client.socket.write('< ok >');
        return;
      case 'echo':
        client.socket.write('< echo >');
        return;
      case 'send':
      case 'fdsend': {
        if (client.state !== 'raw') throw new CanFrameError(`'${verb}' needs rawmode (send < rawmode > first)`, where);
        const frame = verb === 'send' ? parseSend(tk, where) : parseFdSend(tk, where);
        validateFrame(frame, where);
        client.rxFrames++;
        this.fanOut(client, frame);
        return;
      }
      default:
        throw new CanFrameError('unknown command', where);
    }
  }

  private open(client: Client, bus: string): void {
    if (bus.length > 16 || (this.opts.buses && !this.opts.buses.includes(bus))) {
      // As socketcand: refuse and hang up.
      this.problem(client.name, `refused to open bus '${bus}'`);
      client.socket.end('< error could not open bus >');
      return;
    }
    client.bus = bus;
    client.state = 'bcm';
    let set = this.busClients.get(bus);
    if (!set) this.busClients.set(bus, (set = new Set()));
    set.add(client);
    client.socket.write('< ok >');
  }

  private enterRaw(client: Client): void {
    client.state = 'raw';
    const grace = this.opts.rawGraceMs ?? 20;
    if (grace <= 0) {
      client.socket.write('< ok >');
      return;
    }
    client.held = [];
    client.socket.write('< ok >', () => {
      this.clock.setTimer(grace, () => {
        const held = client.held;
        client.held = undefined;
        if (held && client.state === 'raw' && !client.socket.destroyed) for (const text of held) this.write(client, text);
      });
    });
  }

  private fanOut(from: Client, frame: CanFrame): void {
    const bus = from.bus!;
    this.busFrames.set(bus, (this.busFrames.get(bus) ?? 0) + 1);
    const text = formatFrame(frame, this.wallOffsetUs + this.clock.now() / 1000);
    for (const c of this.busClients.get(bus) ?? []) {
      if (c === from || c.state !== 'raw' || c.socket.destroyed) continue;
      if (c.held) c.held.push(text);
      else this.write(c, text);
    }
  }

  /** Write, batching everything written to one client in the same tick into one syscall. */
  private write(c: Client, text: string): void {
    if (c.socket.writableLength > (this.opts.maxBufferedBytes ?? 16 * 1024 * 1024)) {
      // A client that stopped reading would grow our memory without bound: drop it, loudly, and keep the bus going.
      this.problem(c.name, `not reading (over ${this.opts.maxBufferedBytes ?? 16 * 1024 * 1024} bytes queued); disconnected`);
      c.socket.destroy();
      this.drop(c);
      return;
    }
    c.txFrames++;
    if (!c.corked) {
      c.corked = true;
      c.socket.cork();
      process.nextTick(() => {
        c.corked = false;
        c.socket.uncork();
      });
    }
    c.socket.write(text);
  }
}
