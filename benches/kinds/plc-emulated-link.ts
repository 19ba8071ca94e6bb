// Resource kind `emulated-plc-link`: the CCS2 port's PLC link on the emulator bench. A veth pair (made by
// scripts/veth-link.sh, like the MCS link) stands for the powerline; on its charger end the emulated line
// (emulator/slac) answers SLAC as the EVSEs whose modems hear the vehicle (the first is the one its cable is
// plugged into, the others by cross-talk) and as the vehicle's own modem. Fault switches: emulator/slac/faults.ts.

import { acquireLinkLock } from '../../drivers/iso15118/link-lock.ts';
import { ensureVethLink, vethLinkStatus } from '../../drivers/iso15118/veth.ts';
import { openRawEthernet, RawEthernetError } from '../../drivers/plc/raw-ethernet.ts';
import { EmulatedPlcLine } from '../../emulator/slac/plc-line.ts';
import { registerResourceKind } from '../registry.ts';
import type { PlcLinkResource } from './plc-modem.ts';

interface Settings {
  evInterface?: string;
  chargerInterface?: string;
  /** Average attenuation (dB) each EVSE's modem measures; the first is the EVSE the cable is plugged into. */
  evseAttenuationDb?: number[];
}

const ifName = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,15}$' };
const DEFAULTS = { evInterface: 'plc-ev0', chargerInterface: 'plc-evse0', evseAttenuationDb: [24, 57, 63] };

registerResourceKind<Settings>({
  kind: 'emulated-plc-link',
  description:
    'Emulated PLC link of a CCS port: a veth pair with raw 0x88E1 frames, emulated SLAC responders (several EVSEs) ' +
    'and vehicle modem (needs root)',
  openOrder: 100,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      evInterface: { ...ifName, default: DEFAULTS.evInterface },
      chargerInterface: { ...ifName, default: DEFAULTS.chargerInterface },
      evseAttenuationDb: { type: 'array', minItems: 1, items: { type: 'number', minimum: 0, maximum: 255 } },
    },
  },
  async open(name, cfg, ctx) {
    const evInterface = cfg.evInterface ?? DEFAULTS.evInterface;
    const chargerInterface = cfg.chargerInterface ?? DEFAULTS.chargerInterface;
    const what = `bench ${ctx.bench.name} pid ${process.pid}`;
    const lock = await acquireLinkLock([evInterface, chargerInterface], {
      clock: ctx.clock,
      timeline: ctx.timeline,
      source: name,
      what,
      signal: ctx.signal,
    });
    const opened: { close(): void }[] = [{ close: () => lock.release() }];
    const closeAll = () => opened.reverse().forEach((o) => o.close());
    try {
      const veth = await ensureVethLink({ evInterface, chargerInterface }, ctx.signal);
      const chargerPort = openRawEthernet(chargerInterface);
      opened.push(chargerPort);
      const vehiclePort = openRawEthernet(evInterface);
      opened.push(vehiclePort);
      const line = new EmulatedPlcLine(
        chargerPort,
        ctx.clock,
        { evseAttenuationDb: cfg.evseAttenuationDb ?? DEFAULTS.evseAttenuationDb },
        ctx.faults,
      );
      opened.push(line);
      ctx.timeline.record('link', name, {
        event: 'plc-link-ready',
        ev: evInterface,
        charger: chargerInterface,
        evses: line.evses.map((e) => e.config.mac),
      });
      const res: PlcLinkResource = {
        name,
        kind: 'emulated-plc-link',
        evInterface,
        vehiclePort,
        // IPv6 link-local ends for what runs over the link after SLAC (SDP, DIN / -2 over TCP).
        evAddress: veth.evAddress,
        chargerInterface,
        chargerAddress: veth.chargerAddress,
        identity: () => ({ plc: `emulated PLC link ${evInterface}<->${chargerInterface}, ${line.evses.length} EVSE(s)` }),
        async close() {
          closeAll();
        },
      };
      return res;
    } catch (e) {
      closeAll();
      throw e;
    }
  },
  // Raw frames first (binding built, permission), on loopback: the veth pair may not exist before a run.
  async checkReachable(_name, cfg) {
    try {
      openRawEthernet('lo').close();
    } catch (e) {
      if (!(e instanceof RawEthernetError)) throw e;
      return { ok: false, detail: e.detail, fix: e.fix };
    }
    const pair = {
      evInterface: cfg.evInterface ?? DEFAULTS.evInterface,
      chargerInterface: cfg.chargerInterface ?? DEFAULTS.chargerInterface,
    };
    const s = await vethLinkStatus(pair);
    const raw = 'raw 0x88E1 frames open (libpcap binding)';
    if (s.up) return { ok: true, detail: `${s.output}\n${raw}` };
    const fix = `sudo scripts/veth-link.sh up ${pair.evInterface} ${pair.chargerInterface} (the bench creates it itself when run as root)`;
    return { ok: true, detail: `${s.output}\n${raw}`, fix };
  },
});
