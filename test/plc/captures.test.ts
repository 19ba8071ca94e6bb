// Every SLAC frame of the real cars' DC sessions in ../shared/captures (read there, never copied) decodes
// with our codec and re-encodes to the same bytes; the sequence is the one ISO 15118-3 describes.

import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ETHERTYPE_HOMEPLUG_AV } from '../../drivers/plc/mme.ts';
import { parseEthernetPcap } from '../../drivers/plc/pcap-ethernet.ts';
import { decodeSlac, encodeSlac } from '../../drivers/plc/slac-messages.ts';

const capturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/captures');

function slacFrames(file: string): Buffer[] {
  return parseEthernetPcap(readFileSync(file), file)
    .map((r) => r.frame)
    .filter((f) => f.length >= 14 && f.readUInt16BE(12) === ETHERTYPE_HOMEPLUG_AV);
}

describe('SLAC frames of real cars (../shared/captures)', function () {
  const files = existsSync(capturesDir) ? readdirSync(capturesDir).filter((f) => f.endsWith('.pcap')) : [];
  if (files.length === 0) {
    it.skip(`../shared/captures not present (looked in ${capturesDir}): the real cars' SLAC frames are not checked`);
    return;
  }
  for (const file of files) {
    it(`${file}: every HomePlug AV frame decodes and re-encodes byte-exact`, function () {
      const frames = slacFrames(join(capturesDir, file));
      expect(frames.length, 'SLAC frames in the capture').to.be.greaterThan(30);
      for (const [i, frame] of frames.entries()) {
        const msg = decodeSlac(frame);
        expect(encodeSlac(msg).toString('hex'), `${file} HomePlug frame ${i} (${msg.name})`).to.equal(frame.toString('hex'));
      }
    });

    it(`${file}: one RunID through PARM, START_ATTEN_CHAR, sounds, ATTEN_CHAR and MATCH`, function () {
      const msgs = slacFrames(join(capturesDir, file)).map((f) => decodeSlac(f));
      const names = msgs.map((m) => m.name).filter((n) => !n.startsWith('CM_SET_KEY'));
      expect(names[0]).to.equal('CM_SLAC_PARM.REQ');
      expect(names.at(-1)).to.equal('CM_SLAC_MATCH.CNF');
      expect(names.filter((n) => n === 'CM_MNBC_SOUND.IND')).to.have.length(10);
      const runIds = new Set(msgs.filter((m) => 'runId' in m.fields).map((m) => m.fields.runId));
      expect([...runIds]).to.have.length(1);
      const cnf = msgs.find((m) => m.name === 'CM_SLAC_MATCH.CNF')!;
      expect(cnf.fields.nmk).to.match(/^[0-9a-f]{32}$/);
    });
  }
});
