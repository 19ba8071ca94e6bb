// Every V2G message of the eleven real cars' DC sessions in ../shared/captures (read there, skipped where
// absent) decodes with the grammar its supportedAppProtocol exchange selected and re-encodes byte-exact.
// Where a car's encoder deviates from strict EXI the decoder reports it; the deviations expected here are
// named one by one, so a new one fails this test instead of hiding.

import { expect } from 'chai';
import { decodeExiWithDeviations, encodeExi, type ExiDeviation } from '../../drivers/exi/index.ts';
import { captureFiles, capturesDir, readCapturedSession } from './support/captures.ts';

/**
 * The grammar each session negotiated. Two files named '-din' negotiated ISO 15118-2: the car offered both
 * and the charger picked -2 (SchemaID 0 in supportedAppProtocolRes).
 */
const NEGOTIATED: Record<string, 'din' | 'iso2'> = {
  'byd-atto3-iso2.pcap': 'iso2',
  'mercedes-eqe-iso2.pcap': 'iso2',
  'mg4-din.pcap': 'din',
  'polestar2-iso2.pcap': 'iso2',
  'porsche-taycan-din.pcap': 'iso2',
  'porsche-taycan-iso2.pcap': 'iso2',
  'subaru-solterra-iso2.pcap': 'iso2',
  'tesla-model-y-din.pcap': 'din',
  'vw-id3-din.pcap': 'iso2',
  'vw-id4-iso2.pcap': 'iso2',
  'xpeng-p7-iso2.pcap': 'iso2',
};

/** Known deviations per capture: 'message kind: deviation line' → how many messages carry it. */
const KNOWN_DEVIATIONS: Record<string, Record<string, number>> = {
  // The Tesla's DIN encoder appends one 0x00 octet to its (EIM, attribute-less) ContractAuthenticationReq.
  'tesla-model-y-din.pcap': { 'ContractAuthenticationReq: trailing-octets 00': 3 },
};

const bodyName = (doc: Record<string, unknown>): string => {
  const msg = doc.V2G_Message as { Body?: Record<string, unknown> } | undefined;
  return msg ? (Object.keys(msg.Body ?? {})[0] ?? '(empty Body)') : Object.keys(doc)[0];
};
const label = (d: ExiDeviation) => (d.kind === 'trailing-octets' ? `${d.kind} ${d.octetsHex}` : `${d.kind} ${d.element}`);

describe('EXI: real cars’ DIN 70121 / ISO 15118-2 sessions (../shared/captures)', function () {
  const files = captureFiles();
  if (files.length === 0) {
    it.skip(`${capturesDir} not present: the real-session EXI checks do not run`);
    return;
  }

  it('holds the eleven captures this test knows', function () {
    expect(files).to.deep.equal(Object.keys(NEGOTIATED).sort());
  });

  for (const file of files) {
    it(`${file}: every V2G message decodes with the negotiated grammar and re-encodes byte-exact`, function () {
      const session = readCapturedSession(file);
      expect(session.messages.length, 'V2G messages in the capture').to.be.greaterThan(10);
      expect(session.messages[2].grammar, 'grammar selected by supportedAppProtocol').to.equal(NEGOTIATED[file]);
      const deviations: Record<string, number> = {};
      for (const m of session.messages) {
        const where = `${file} message ${m.index} (${m.from}, ${m.grammar})`;
        expect(m.payloadType, `${where}: V2GTP payload type`).to.equal(0x8001);
        const { document, deviations: found } = decodeExiWithDeviations(m.grammar, m.exi);
        let expectedBytes = m.exi;
        for (const d of found) {
          const key = `${bodyName(document)}: ${label(d)}`;
          deviations[key] = (deviations[key] ?? 0) + 1;
          // Re-encoding a document strictly gives the stream without the octets after its end.
          if (d.kind === 'trailing-octets') expectedBytes = m.exi.subarray(0, m.exi.length - d.octetsHex.length / 2);
        }
        const again = Buffer.from(encodeExi(m.grammar, document)).toString('hex');
        expect(again, `${where}: ${bodyName(document)} re-encoded`).to.equal(Buffer.from(expectedBytes).toString('hex'));
      }
      expect(deviations, 'deviations from strict EXI found in this capture').to.deep.equal(KNOWN_DEVIATIONS[file] ?? {});
    });
  }
});
