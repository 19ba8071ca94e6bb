// The emulated PLC line on the charger end of a veth pair: the EVSEs whose modems hear the vehicle (the one
// its cable is plugged into, and neighbours by cross-talk, each with its own attenuation), and the
// vehicle's own Green PHY modem, which on a real bench answers its host's CM_SET_KEY / CM_NW_INFO and joins
// whichever AVLN uses the key it was given. One raw port serves them all (a packet socket sees another's
// sends on the same interface, so there is one per end).

import type { Clock } from '../../drivers/core/clock.ts';
import { LOCAL_MODEM_MAC } from '../../drivers/plc/mme.ts';
import type { RawEthernetPort } from '../../drivers/plc/raw-ethernet.ts';
import { decodeSlac, encodeSlac, type MmeFields, type SlacMessage } from '../../drivers/plc/slac-messages.ts';
import { EmulatedSlacEvse, type EmulatedEvseConfig } from './slac-evse.ts';

export interface PlcLineConfig {
  /** Average attenuation (dB) each EVSE's modem measures; the first is the EVSE the cable is plugged into. */
  evseAttenuationDb: number[];
  /** MAC of the vehicle's emulated modem (what it answers from). */
  evModemMac?: string;
}

const evseMac = (i: number) => `02:c5:e0:00:00:${(i + 1).toString(16).padStart(2, '0')}`;

export class EmulatedPlcLine {
  readonly evses: EmulatedSlacEvse[];
  private readonly evModemMac: string;
  /** The key the vehicle's modem was last given (CM_SET_KEY.REQ), and so the AVLN it is in. */
  private evModemKey: { nid: string; nmk: string } | undefined;
  private readonly off: () => void;

  constructor(
    private readonly port: RawEthernetPort,
    clock: Clock,
    config: PlcLineConfig,
    faults: ReadonlySet<string>,
  ) {
    this.evModemMac = config.evModemMac ?? '02:c5:e0:00:00:e0';
    this.evses = config.evseAttenuationDb.map((attenuationDb, i) => {
      const id = (i + 1).toString(16).padStart(2, '0');
      const evse: EmulatedEvseConfig = {
        mac: evseMac(i),
        attenuationDb,
        nid: `${id}a1b2c3d4e5f6`.slice(0, 14),
        nmk: `${id}`.repeat(2) + '5ec7e7c0ffee0123456789abcdef',
      };
      return new EmulatedSlacEvse(evse, clock, (name, dst, fields, src) => this.send(name, dst, fields, src), faults);
    });
    this.off = port.onFrame((frame) => this.receive(frame));
  }

  close(): void {
    this.off();
    for (const e of this.evses) e.close();
  }

  private send(name: string, dst: string, fields: MmeFields, src: string): void {
    this.port.send(encodeSlac({ name, header: { dst, src }, fields }));
  }

  private receive(frame: Buffer): void {
    let msg: SlacMessage;
    try {
      msg = decodeSlac(frame);
    } catch {
      return; // not ours to judge: a real modem drops what it does not understand
    }
    if (msg.header.dst === LOCAL_MODEM_MAC) this.evModem(msg);
    else for (const e of this.evses) e.handle(msg);
  }

  /** The vehicle's modem: it takes the key it is given, and is in the AVLN of any EVSE modem using that key. */
  private evModem(msg: SlacMessage): void {
    const host = msg.header.src;
    const f = msg.fields;
    if (msg.name === 'CM_SET_KEY.REQ') {
      this.evModemKey = { nid: f.nid as string, nmk: f.newKey as string };
      const cnf = { result: 0, myNonce: '00000000', yourNonce: f.myNonce, pid: f.pid, prn: f.prn, pmn: f.pmn, ccoCapability: 0 };
      this.send('CM_SET_KEY.CNF', host, cnf, this.evModemMac);
    } else if (msg.name === 'CM_NW_INFO.REQ') {
      const key = this.evModemKey;
      const joined = this.evses.filter((e) => key && e.config.nmk === key.nmk && e.config.nid === key.nid);
      const networks = joined.map((e) => ({
        nid: e.config.nid,
        snid: 1,
        tei: 2,
        stationRole: 0,
        ccoMac: e.config.mac,
        access: 0,
        numCoordNetworks: 0,
      }));
      this.send('CM_NW_INFO.CNF', host, { numNetworks: networks.length, networks }, this.evModemMac);
    }
  }
}
