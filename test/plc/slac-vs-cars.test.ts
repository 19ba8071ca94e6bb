// Our vehicle's SLAC against what eleven real cars do (../shared/captures, read there): the same order of
// the messages the vehicle sends, and each of its delays within the range the cars show — answering an EVSE's
// CM_ATTEN_CHAR.IND may be faster than every car, never slower. Runs in real time on the test veth pair.

import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import { ETHERTYPE_HOMEPLUG_AV } from '../../drivers/plc/mme.ts';
import { parseEthernetPcap } from '../../drivers/plc/pcap-ethernet.ts';
import { decodeSlac } from '../../drivers/plc/slac-messages.ts';
import { openVethSlac } from './veth-slac.ts';

const capturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/captures');
const EV_SENT = ['CM_SLAC_PARM.REQ', 'CM_START_ATTEN_CHAR.IND', 'CM_MNBC_SOUND.IND', 'CM_ATTEN_CHAR.RSP', 'CM_SLAC_MATCH.REQ'];

interface Frame {
  t: number; // ms
  name: string;
}

type Delays = Record<'parmCnfToStart' | 'batchGap' | 'attenIndToRsp' | 'rspToMatch', number[]>;

function delays(frames: Frame[]): Delays {
  const at = (name: string) => frames.filter((f) => f.name === name).map((f) => f.t);
  const gaps = (a: number[]) => a.slice(1).map((x, i) => x - a[i]);
  const [cnf] = at('CM_SLAC_PARM.CNF');
  const starts = at('CM_START_ATTEN_CHAR.IND');
  const sounds = at('CM_MNBC_SOUND.IND');
  const inds = at('CM_ATTEN_CHAR.IND');
  const rsps = at('CM_ATTEN_CHAR.RSP');
  return {
    parmCnfToStart: [starts[0] - cnf],
    batchGap: [...gaps(starts), ...gaps(sounds)],
    attenIndToRsp: rsps.map((r, i) => r - inds[i]),
    rspToMatch: [at('CM_SLAC_MATCH.REQ')[0] - rsps.at(-1)!],
  };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Consecutive repeats folded: the order of what the vehicle sends. */
const order = (frames: Frame[]) =>
  frames
    .map((f) => f.name)
    .filter((n) => EV_SENT.includes(n))
    .filter((n, i, a) => n !== a[i - 1]);

describe("our vehicle's SLAC against eleven real cars (../shared/captures)", function () {
  const files = existsSync(capturesDir) ? readdirSync(capturesDir).filter((f) => f.endsWith('.pcap')) : [];
  if (files.length === 0) {
    it.skip(`../shared/captures not present (looked in ${capturesDir})`);
    return;
  }

  it('sends the same messages in the same order, each delay within the cars’ range', async function () {
    if (process.getuid?.() !== 0) this.skip(); // the veth pair and raw sockets need root
    const cars = files.map((file) => {
      const recs = parseEthernetPcap(readFileSync(join(capturesDir, file)), file).filter(
        (r) => r.frame.readUInt16BE(12) === ETHERTYPE_HOMEPLUG_AV,
      );
      return { file, frames: recs.map((r) => ({ t: r.tNs / 1e6, name: decodeSlac(r.frame).name })) };
    });
    const veth = await openVethSlac();
    let ours: Frame[];
    try {
      const { timeline } = await veth.run({ rate: 1 });
      ours = (timeline.query({ kind: 'plc' }) as TimelineEvent<{ name: string }>[]).map((e) => ({ t: e.t / 1e6, name: e.data.name }));
    } finally {
      await veth.close();
    }
    for (const car of cars) expect(order(ours), car.file).to.deep.equal(order(car.frames));
    const mine = delays(ours);
    for (const key of Object.keys(mine) as (keyof Delays)[]) {
      const all = cars.flatMap((c) => delays(c.frames)[key]);
      const [lo, hi] = [Math.min(...all), Math.max(...all)];
      const floor = key === 'attenIndToRsp' ? 0 : lo;
      // The batch interval is judged by its median: one late wake-up of a loaded host is not the vehicle's rhythm.
      const judged = key === 'batchGap' ? [median(mine[key])] : mine[key];
      for (const v of judged)
        expect(v, `${key}: ours ${v.toFixed(1)} ms, the cars ${lo.toFixed(1)}–${hi.toFixed(1)} ms`).to.be.within(floor, hi);
    }
  });
});
