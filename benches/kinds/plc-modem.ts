// Resource kind `plc-modem`: the vehicle-side HomePlug Green PHY modem of a CCS port (a QCA7000/7005 board
// or an Ethernet-attached one) seen as the Linux netdev it is. SLAC runs over it with raw 0x88E1 frames,
// which need root or CAP_NET_RAW: without them the bench does not open, and `doctor` says how to fix it.

import { interfaceMac, openRawEthernet, RawEthernetError, type RawEthernetPort } from '../../drivers/plc/raw-ethernet.ts';
import { registerResourceKind, type Resource } from '../registry.ts';

/** What a CCS suite takes from a PLC link, real or emulated. */
export interface PlcLinkResource extends Resource {
  /** The vehicle's interface (the modem's netdev, or the emulated link's vehicle end). */
  readonly evInterface: string;
  /** The vehicle's raw port on it (one per interface: a second socket would see our own sends). */
  readonly vehiclePort: RawEthernetPort;
  /** On an emulated link: the IPv6 link-local ends (no scope) the vehicle and the emulated charger use after SLAC. */
  readonly evAddress?: string;
  readonly chargerInterface?: string;
  readonly chargerAddress?: string;
}

export const PLC_LINK_KINDS = ['plc-modem', 'emulated-plc-link'];

interface Settings {
  /** The modem's netdev, e.g. eth1 or the qcaspi interface. */
  interface: string;
}

const ifName = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,15}$' };

registerResourceKind<Settings>({
  kind: 'plc-modem',
  description: "Vehicle-side HomePlug Green PHY (PLC) modem's netdev: SLAC with raw 0x88E1 frames (needs root or CAP_NET_RAW)",
  openOrder: 100,
  schema: { type: 'object', additionalProperties: false, required: ['interface'], properties: { interface: ifName } },
  async open(name, cfg, ctx) {
    const port = openRawEthernet(cfg.interface);
    ctx.timeline.record('link', name, { event: 'plc-modem-open', interface: cfg.interface, mac: port.mac });
    const res: PlcLinkResource = {
      name,
      kind: 'plc-modem',
      evInterface: cfg.interface,
      vehiclePort: port,
      identity: () => ({ plc: `modem netdev ${cfg.interface} ${port.mac}` }),
      async close() {
        port.close();
      },
    };
    return res;
  },
  async checkReachable(_name, cfg) {
    try {
      openRawEthernet(cfg.interface).close();
      return { ok: true, detail: `${cfg.interface} (${interfaceMac(cfg.interface)}) opens for raw HomePlug AV frames` };
    } catch (e) {
      if (!(e instanceof RawEthernetError)) throw e;
      return { ok: false, detail: e.detail, fix: e.fix };
    }
  },
});
