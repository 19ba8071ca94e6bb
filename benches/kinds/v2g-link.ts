// Resource kinds for the ISO 15118 network link: `veth-link` (the emulator bench's emulated 10BASE-T1S
// link, created by scripts/veth-link.sh) and `ethernet-link` (a physical bench: the T1S netdev or the PLC
// modem's Ethernet). Both record link up/down on the timeline while the bench is open.

import { BenchFault } from '../../drivers/core/errors.ts';
import { acquireLinkLock } from '../../drivers/iso15118/link-lock.ts';
import { LinkMonitor, readLinkState, type LinkState } from '../../drivers/iso15118/link.ts';
import {
  checkVethLink,
  DEFAULT_CHARGER_INTERFACE,
  DEFAULT_EV_INTERFACE,
  ensureVethLink,
  removeVethLink,
  vethLinkStatus,
} from '../../drivers/iso15118/veth.ts';
import { registerResourceKind, type OpenContext, type Resource } from '../registry.ts';

/** What the EVCC session (and the emulated SECC, on a veth link) take from a link resource. */
export interface V2gLinkResource extends Resource {
  /** Interface the vehicle talks on ('mcs-ev0', 'eth1'). */
  readonly evInterface: string;
  /** Our fe80:: address on it (no scope). */
  readonly evAddress: string;
  /** The charger's end — only on an emulated link, where the emulated SECC listens. */
  readonly chargerInterface?: string;
  readonly chargerAddress?: string;
  /** Up and carrier present, as last seen by the monitor. */
  isUp(): boolean;
  onChange(fn: (iface: string, s: LinkState) => void): void;
}

const DEFAULT_MONITOR_MS = 250;

interface VethSettings {
  evInterface?: string;
  chargerInterface?: string;
  /** Create the pair when missing (needs root); false: only check it exists. Default true. */
  createIfMissing?: boolean;
  /** Delete the pair when the bench closes, also one that was up before the run (one the run created always goes). */
  removeOnClose?: boolean;
  /** Link-state poll period on the bench clock; 0 disables the monitor. */
  monitorIntervalMs?: number;
}

const ifName = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,15}$' };

registerResourceKind<VethSettings>({
  kind: 'veth-link',
  description:
    'Emulated 10BASE-T1S link: a veth pair (vehicle end / charger end), IPv6 link-local, no DAD (scripts/veth-link.sh; needs root)',
  openOrder: 100,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      evInterface: { ...ifName, default: DEFAULT_EV_INTERFACE },
      chargerInterface: { ...ifName, default: DEFAULT_CHARGER_INTERFACE },
      createIfMissing: { type: 'boolean', default: true },
      removeOnClose: { type: 'boolean', default: false },
      monitorIntervalMs: { type: 'number', minimum: 0 },
    },
  },
  async open(name, cfg, ctx) {
    const spec = { evInterface: cfg.evInterface, chargerInterface: cfg.chargerInterface };
    // One process per pair: a second run on the same pair would mix its vehicle and charger with ours.
    const lock = await acquireLinkLock([cfg.evInterface ?? DEFAULT_EV_INTERFACE, cfg.chargerInterface ?? DEFAULT_CHARGER_INTERFACE], {
      clock: ctx.clock,
      timeline: ctx.timeline,
      source: name,
      what: `bench ${ctx.bench.name} pid ${process.pid}`,
      signal: ctx.signal,
    });
    let link;
    // A pair this run creates is removed again when the bench closes; one that was already up stays.
    let created = false;
    try {
      if (cfg.createIfMissing !== false) created = !(await vethLinkStatus(spec)).up;
      link = cfg.createIfMissing === false ? await checkVethLink(spec) : await ensureVethLink(spec, ctx.signal);
    } catch (e) {
      lock.release();
      throw e;
    }
    ctx.timeline.record('link', name, {
      event: 'veth-ready',
      ev: `${link.evInterface} ${link.evAddress}`,
      charger: `${link.chargerInterface} ${link.chargerAddress}`,
      script: link.output,
    });
    const monitor = startMonitor([link.evInterface, link.chargerInterface], name, cfg.monitorIntervalMs, ctx);
    const res: V2gLinkResource = {
      name,
      kind: 'veth-link',
      evInterface: link.evInterface,
      evAddress: link.evAddress,
      chargerInterface: link.chargerInterface,
      chargerAddress: link.chargerAddress,
      isUp: () => monitor.isUp(link.evInterface) && monitor.isUp(link.chargerInterface),
      onChange: (fn) => monitor.onChange(fn),
      identity: () => ({ link: `veth ${link.evInterface}<->${link.chargerInterface}` }),
      async close() {
        monitor.stop();
        try {
          if (cfg.removeOnClose || created) {
            await removeVethLink(spec);
            ctx.timeline.record('link', name, { event: 'down', interface: link.evInterface, removed: true });
          }
        } finally {
          lock.release();
        }
      },
    };
    return res;
  },
  async checkReachable(_name, cfg) {
    const s = await vethLinkStatus({ evInterface: cfg.evInterface, chargerInterface: cfg.chargerInterface });
    return s.up
      ? { ok: true, detail: s.output }
      : {
          ok: cfg.createIfMissing !== false,
          detail: s.output,
          fix: `sudo scripts/veth-link.sh up ${cfg.evInterface ?? DEFAULT_EV_INTERFACE} ${cfg.chargerInterface ?? DEFAULT_CHARGER_INTERFACE} (the bench creates it itself when run as root)`,
        };
  },
});

interface EthernetSettings {
  /** The vehicle-side netdev: the 10BASE-T1S interface or the PLC modem's Ethernet. */
  interface: string;
  monitorIntervalMs?: number;
}

function ethernetProblem(iface: string, s: LinkState): { detail: string; fix: string } | undefined {
  if (!s.exists)
    return {
      detail: `interface '${iface}' does not exist`,
      fix: `check the bench file's interface name against 'ip link' (is the 10BASE-T1S adapter / PLC modem plugged in and its driver loaded?)`,
    };
  if (!s.up)
    return {
      detail: `interface '${iface}' is ${s.operstate}, carrier ${s.carrier ? 'on' : 'off'}`,
      fix: `bring it up: sudo ip link set ${iface} up; no carrier means the cable / charger side is not connected (on T1S: check PLCA node id, EV = 1)`,
    };
  if (s.linkLocal.length === 0)
    return {
      detail: `interface '${iface}' has no fe80:: address`,
      fix: `enable IPv6 on it: sudo sysctl -w net.ipv6.conf.${iface}.disable_ipv6=0 (and addr_gen_mode=0), then take the link down and up`,
    };
  return undefined;
}

registerResourceKind<EthernetSettings>({
  kind: 'ethernet-link',
  description:
    'Physical ISO 15118 link: the vehicle-side 10BASE-T1S netdev (MCS) or PLC modem Ethernet; must be up with an IPv6 link-local address',
  openOrder: 100,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['interface'],
    properties: { interface: ifName, monitorIntervalMs: { type: 'number', minimum: 0 } },
  },
  async open(name, cfg, ctx) {
    const s = readLinkState(cfg.interface);
    const problem = ethernetProblem(cfg.interface, s);
    if (problem) throw new BenchFault(`link '${name}': ${problem.detail}. Fix: ${problem.fix}`, name);
    const monitor = startMonitor([cfg.interface], name, cfg.monitorIntervalMs, ctx);
    const res: V2gLinkResource = {
      name,
      kind: 'ethernet-link',
      evInterface: cfg.interface,
      evAddress: s.linkLocal[0],
      isUp: () => monitor.isUp(cfg.interface),
      onChange: (fn) => monitor.onChange(fn),
      identity: () => ({ link: `ethernet ${cfg.interface} ${s.linkLocal[0]}` }),
      async close() {
        monitor.stop();
      },
    };
    return res;
  },
  async checkReachable(_name, cfg) {
    const s = readLinkState(cfg.interface);
    const p = ethernetProblem(cfg.interface, s);
    return p ? { ok: false, detail: p.detail, fix: p.fix } : { ok: true, detail: `${cfg.interface} up, ${s.linkLocal.join(', ')}` };
  },
});

/** A running monitor of the link's interfaces. Polling keeps a virtual clock busy forever (it would jump from poll
 * to poll): off there unless asked. */
function startMonitor(interfaces: string[], name: string, configuredMs: number | undefined, ctx: OpenContext): LinkMonitor {
  const periodMs = configuredMs ?? (ctx.clock.description === 'virtual' ? 0 : DEFAULT_MONITOR_MS);
  const monitor = new LinkMonitor(interfaces, ctx.clock, ctx.timeline, name, periodMs);
  monitor.start();
  return monitor;
}
