import { expect } from 'chai';
import { RealClock } from '../../drivers/core/clock.ts';
import { Limits } from '../../drivers/core/limits.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import type { V2gConnection } from '../../drivers/iso15118/connection.ts';
import { ensureTestPki } from '../../drivers/iso15118/test-pki.ts';
import { openEvTransport, startSeccTransport, type SeccTransport } from '../../drivers/iso15118/transport.ts';
import { PayloadType } from '../../drivers/iso15118/v2gtp.ts';
import type { TestVethPair } from '../support/veth-pair.ts';
import { bringUpTestLink } from './test-link.ts';

describe('whole transport: SDP → TCP → TLS 1.3 between the EV and SECC helpers', function () {
  const clock = new RealClock();
  const limits = Limits.load('iso15118-20');
  let secc: SeccTransport | undefined;
  let pair: TestVethPair | undefined;

  afterEach(async function () {
    await secc?.close();
    secc = undefined;
    await pair?.remove();
  });

  it('finds the charger by SDP and talks V2GTP over mutual-auth TLS, with decorated timeline records', async function () {
    const link = (pair = await bringUpTestLink());
    const pki = await ensureTestPki();
    const timeline = new Timeline({ clock });
    secc = await startSeccTransport({
      clock,
      timeline,
      limits,
      interface: link.chargerInterface,
      address: link.chargerAddress,
      tls: { identity: { chainFile: pki.secc.chain, keyFile: pki.secc.key }, trustedRootFiles: [pki.oemRootCert] },
    });
    secc.server.on('connection', async (c: V2gConnection) => {
      const f = await c.receive(5000);
      await c.send(PayloadType.Sap, new Uint8Array([0x80, 0x40, ...f.payload.subarray(1)]));
    });
    const { discovery, connection } = await openEvTransport({
      clock,
      timeline,
      limits,
      interface: link.evInterface,
      tls: { trustedRootFiles: [pki.v2gRootCert], identity: { chainFile: pki.vehicle.chain, keyFile: pki.vehicle.key } },
      decorate: (dir, pt) => ({ decoded: { note: `${dir} ${pt.toString(16)}` } }),
    });
    try {
      expect(discovery).to.deep.include({ address: link.chargerAddress, port: secc.port, security: 0 });
      expect(connection.tlsInfo()!.protocol).to.equal('TLSv1.3');
      await connection.send(PayloadType.Sap, new Uint8Array([0x80, 0x00, 0x01]));
      const res = await connection.receive(5000); // generous: not a judged limit
      expect([...res.payload]).to.deep.equal([0x80, 0x40, 0x00, 0x01]);
      const evcc = timeline.query({ kind: 'v2g', source: 'evcc' }).filter((e) => e.data.protocol !== 'SDP');
      expect(evcc.map((e) => (e.data.decoded as { note: string }).note)).to.deep.equal(['tx 8001', 'rx 8001']);
    } finally {
      await connection.close();
    }
  });
});
