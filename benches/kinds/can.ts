// The CAN resource kinds a bench file may name. Importing this file registers them:
//   virtual-can     in-process bus (nodes on the same channel in this process see each other)
//   socketcand      client of a socketcand server (Linux daemon or `mcs-hil can hub`)
//   socketcan       native SocketCAN through the optional `socketcan` package (Linux with AF_CAN)
//   socketcand-hub  our socketcand-compatible hub, started in-process (the emulator bench's bus over TCP)
//
// In a bench file:
//   resources:
//     can-hub:     { kind: socketcand-hub, port: 0, buses: [gbt] }      # emulator bench: hub in-process
//     gbt-can:     { kind: socketcand, hub: can-hub, bus: gbt }         # vehicle side, found by hub name
//     lab-can:     { kind: socketcand, host: 192.0.2.10, port: 29536, bus: can0 }   # remote socketcand box
//     native-can:  { kind: socketcan, interface: can0 }                 # Linux with AF_CAN + socketcan 4.0.7
//     unit-can:    { kind: virtual-can, channel: gbt }                  # in-process (virtual-clock benches)
// socketcand needs a real clock (any rate); virtual-can works with both.

import { connect, createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { BenchFault } from '../../drivers/core/errors.ts';
import { registerResourceKind, resourceKind, type OpenContext, type ReachabilityResult, type Resource } from '../registry.ts';
import type { CanFrame } from '../../drivers/can/frame.ts';
import type { CanListener, CanTransport } from '../../drivers/can/transport.ts';
import { VirtualCan } from '../../drivers/can/virtual-bus.ts';
import { WorkerSocketcandCan } from '../../drivers/can/worker-can.ts';
import { SocketcandHub } from '../../drivers/can/socketcand-hub.ts';
import { SocketcanNative } from '../../drivers/can/socketcan-native.ts';
import { SOCKETCAND_PORT } from '../../drivers/can/socketcand-protocol.ts';

/** A CAN transport opened as a bench resource: `bench.resource<CanBusResource>('gbt-can')`. */
export interface CanBusResource extends Resource, CanTransport {}

/** The in-process hub as a bench resource; clients find it by name (`hub: can-hub`). */
export interface CanHubResource extends Resource {
  readonly hub: SocketcandHub;
  address(): { host: string; port: number };
}

class TransportResource implements CanBusResource {
  constructor(
    readonly name: string,
    readonly kind: string,
    private readonly t: CanTransport,
    private readonly ident: Record<string, string>,
  ) {}
  get channel(): string {
    return this.t.channel;
  }
  send(frame: CanFrame): Promise<void> {
    return this.t.send(frame);
  }
  onFrame(listener: CanListener): () => void {
    return this.t.onFrame(listener);
  }
  close(): Promise<void> {
    return this.t.close();
  }
  identity(): Record<string, string> {
    return this.ident;
  }
  /** The underlying transport (SocketcandCan exposes onLost / lost). */
  get transport(): CanTransport {
    return this.t;
  }
}

interface VirtualCanConfig {
  channel?: string;
}
interface SocketcandConfig {
  host?: string;
  port?: number;
  hub?: string;
  bus: string;
  connectTimeoutMs?: number;
}
interface SocketcanConfig {
  interface: string;
}
interface HubConfig {
  host?: string;
  port?: number;
  buses?: string[];
}

const CAN_OPEN_ORDER = 80;
const HUB_OPEN_ORDER = 90;

let registered = false;

/** Register the four CAN kinds (idempotent, so tests and the CLI may both import this). */
export function registerCanKinds(): void {
  // Also check the registry: a second copy of this module (CJS and ESM loads of the same file) must not register twice.
  if (registered || resourceKind('virtual-can')) return;
  registered = true;

  registerResourceKind<VirtualCanConfig>({
    kind: 'virtual-can',
    description:
      'In-process CAN bus: every virtual-can resource with the same channel in this process sees the others’ frames (python-can VirtualBus model).',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { channel: { type: 'string', minLength: 1, description: 'Bus name shared by the nodes (default: the resource name).' } },
    },
    openOrder: CAN_OPEN_ORDER,
    async open(name, config, ctx) {
      const channel = config.channel ?? name;
      const t = new VirtualCan(channel, { clock: ctx.clock, timeline: ctx.timeline, source: name });
      return new TransportResource(name, 'virtual-can', t, { transport: 'virtual-can', channel });
    },
    async checkReachable() {
      return { ok: true, detail: 'in-process bus, always available' };
    },
  });

  registerResourceKind<SocketcandConfig>({
    kind: 'socketcand',
    description:
      'CAN bus reached through a socketcand server (rawmode over TCP): a socketcand daemon on a Linux box with the adapter, or mcs-hil can hub.',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['bus'],
      properties: {
        host: { type: 'string', minLength: 1, description: 'Server host (not with hub).' },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: SOCKETCAND_PORT },
        hub: { type: 'string', minLength: 1, description: 'Name of a socketcand-hub resource of this bench (instead of host/port).' },
        bus: { type: 'string', minLength: 1, maxLength: 16, description: "Bus name on the server ('can0', or any name on our hub)." },
        connectTimeoutMs: { type: 'integer', minimum: 1, default: 5000 },
      },
    },
    openOrder: CAN_OPEN_ORDER,
    async open(name, config, ctx) {
      const { host, port } = resolveEndpoint(name, config, ctx);
      // The wire off the main thread (native helper when built, else a worker): EXI, plots, reports never delay it.
      const t = await WorkerSocketcandCan.open({
        host,
        port,
        bus: config.bus,
        clock: ctx.clock,
        timeline: ctx.timeline,
        source: name,
        connectTimeoutMs: config.connectTimeoutMs,
      });
      // wire: which engine carries the bus (native real-time helper or worker thread) and what it got, for the environment.
      const ident = { transport: 'socketcand', endpoint: `${host}:${port}`, bus: config.bus, wire: t.wire };
      return new TransportResource(name, 'socketcand', t, ident);
    },
    async checkReachable(name, config) {
      if (config.hub) return { ok: true, detail: `uses the in-process hub '${config.hub}'` };
      const host = config.host ?? '127.0.0.1';
      const port = config.port ?? SOCKETCAND_PORT;
      const greeting = await probeGreeting(host, port, 2000);
      return greeting === '< hi >'
        ? { ok: true, detail: `socketcand server at ${host}:${port} greets with < hi >` }
        : {
            ok: false,
            detail: `no socketcand server at ${host}:${port} (${greeting})`,
            fix: `start socketcand (socketcand -i ${config.bus}) or 'mcs-hil can hub --port ${port}', or fix host/port`,
          };
    },
  });

  registerResourceKind<SocketcanConfig>({
    kind: 'socketcan',
    description: 'Native Linux SocketCAN interface (can0, vcan0) through the optional socketcan npm package; needs AF_CAN.',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['interface'],
      properties: { interface: { type: 'string', minLength: 1, maxLength: 15, description: 'Kernel interface name.' } },
    },
    openOrder: CAN_OPEN_ORDER,
    async open(name, config, ctx) {
      const t = SocketcanNative.open({ interface: config.interface, clock: ctx.clock, timeline: ctx.timeline, source: name });
      return new TransportResource(name, 'socketcan', t, { transport: 'socketcan', interface: config.interface });
    },
    async checkReachable(_name, config) {
      return socketcanReadiness(config.interface);
    },
  });

  registerResourceKind<HubConfig>({
    kind: 'socketcand-hub',
    description:
      'Our socketcand-compatible hub, started in-process on a TCP port, so bench CAN traffic runs over real TCP and outside tools (python-can, another mcs-hil) can join.',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 0, description: '0 = any free port (clients use hub: NAME).' },
        buses: {
          type: 'array',
          items: { type: 'string', minLength: 1, maxLength: 16 },
          description: 'Bus names clients may open (any when omitted).',
        },
      },
    },
    openOrder: HUB_OPEN_ORDER,
    async open(name, config, ctx) {
      const hub = new SocketcandHub({
        // The bench's clock: the hub's frame stamps then share the timebase of everything else on the bench
        // (a scaled emulator run too), so our receive-to-stamp latency can be measured against them.
        clock: ctx.clock,
        host: config.host ?? '127.0.0.1',
        port: config.port ?? 0,
        buses: config.buses,
        onProblem: (p) => ctx.timeline.record('link', name, { event: 'hub-bad-input', client: p.client, message: p.message }),
      });
      let addr: { host: string; port: number };
      try {
        addr = await hub.listen();
      } catch (err) {
        throw new BenchFault(
          `socketcand hub '${name}': cannot listen on ${config.host ?? '127.0.0.1'}:${config.port ?? 0} (${(err as Error).message}); pick a free port`,
          name,
          { cause: err },
        );
      }
      ctx.timeline.record('link', name, { event: 'hub-listening', ...addr });
      const res: CanHubResource = {
        name,
        kind: 'socketcand-hub',
        hub,
        address: () => addr,
        close: async () => {
          await hub.close();
          ctx.timeline.record('link', name, { event: 'hub-closed' });
        },
        identity: () => ({ transport: 'socketcand-hub', endpoint: `${addr.host}:${addr.port}` }),
      };
      return res;
    },
    async checkReachable(_name, config) {
      const port = config.port ?? 0;
      if (port === 0) return { ok: true, detail: 'listens on a free port chosen at open' };
      const free = await portFree(config.host ?? '127.0.0.1', port);
      return free === true
        ? { ok: true, detail: `${config.host ?? '127.0.0.1'}:${port} is free` }
        : {
            ok: false,
            detail: `cannot listen on ${config.host ?? '127.0.0.1'}:${port} (${free})`,
            fix: 'stop whatever holds the port, or set port: 0',
          };
    },
  });
}

/**
 * `doctor` for a native SocketCAN interface, read-only (procfs/sysfs): AF_CAN loaded, the interface exists,
 * is a CAN netdev (ARPHRD_CAN = 280) and is administratively up. Paths are parameters for tests.
 */
export function socketcanReadiness(iface: string, paths = { procCan: '/proc/net/can', sysNet: '/sys/class/net' }): ReachabilityResult {
  if (!existsSync(paths.procCan))
    return {
      ok: false,
      detail: 'kernel CAN (AF_CAN) is not available on this machine',
      fix: "load it (sudo modprobe can can_raw) or use kind 'socketcand' or 'virtual-can'",
    };
  if (!existsSync(`${paths.sysNet}/${iface}`))
    return {
      ok: false,
      detail: `no network interface '${iface}'`,
      fix: `create/bring it up: ip link set ${iface} up type can bitrate 250000`,
    };
  const sys = (f: string) => {
    try {
      return readFileSync(`${paths.sysNet}/${iface}/${f}`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  if (sys('type') !== '280')
    return {
      ok: false,
      detail: `'${iface}' is not a CAN interface (link type ${sys('type') || '?'})`,
      fix: 'name the CAN adapter’s interface (ip -details link show type can)',
    };
  if ((parseInt(sys('flags') || '0', 16) & 0x1) === 0)
    return {
      ok: false,
      detail: `interface ${iface} is down`,
      fix: `sudo ip link set ${iface} up type can bitrate 250000 (GB/T 27930: 250 kbit/s)`,
    };
  return { ok: true, detail: `CAN interface ${iface} up (${sys('operstate') || '?'})` };
}

/** true when host:port can be listened on right now, else the reason (never throws). */
function portFree(host: string, port: number): Promise<true | string> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e) => resolve(e.message));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function resolveEndpoint(name: string, config: SocketcandConfig, ctx: OpenContext): { host: string; port: number } {
  if (config.hub) {
    const hub = ctx.resources.get(config.hub) as CanHubResource | undefined;
    if (!hub || hub.kind !== 'socketcand-hub')
      throw new BenchFault(
        `socketcand '${name}': hub '${config.hub}' is not a socketcand-hub resource of this bench (declare it, kind: socketcand-hub)`,
        name,
      );
    return hub.address();
  }
  return { host: config.host ?? '127.0.0.1', port: config.port ?? SOCKETCAND_PORT };
}

/** The first message a server sends within timeoutMs, or why there was none (never throws). */
function probeGreeting(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let text = '';
    const done = (r: string) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done(`no greeting within ${timeoutMs} ms`));
    s.on('error', (e) => done(e.message));
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (text.includes('>')) done(text.slice(0, text.indexOf('>') + 1));
    });
  });
}

registerCanKinds();
