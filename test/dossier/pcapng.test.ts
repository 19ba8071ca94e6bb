// The V2G link's per-test pcapng: a real TLS 1.3 connection carrying V2GTP messages, captured by tcpdump
// (LinkCapture) on the loopback, cut to its window and written as pcapng with the key log embedded as a
// Decryption Secrets Block. tshark, given no key file, decrypts it and shows the V2GTP payloads.

import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkCapture } from '../../drivers/iso15118/capture.ts';
import { readPcap, writePcapng } from '../../drivers/iso15118/capture-pcapng.ts';

/** supportedAppProtocolReq / Res as V2GTP frames (header 01 FE, payload type 0x8001). */
const REQ = '01fe8001000000258000f3ab9371d34b9b79d39ba321d34b9b79d189a98989c1d1699181d22218010000040040';
const RES = '01fe80010000000480400040';

const missing = ['tcpdump', 'tshark', 'openssl'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error);

describe('V2G link capture: pcapng with the TLS key log embedded', function () {
  const work = mkdtempSync(join(tmpdir(), 'mcs-hil-pcapng-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  before(function () {
    // tcpdump and tshark are Debian packages .ci/run installs; capturing needs root (CAP_NET_RAW).
    if (missing.length || process.getuid?.() !== 0) this.skip();
  });

  it('tshark decrypts the captured TLS session from the pcapng alone and shows the V2GTP payloads', async () => {
    const key = join(work, 'k.pem');
    const cert = join(work, 'c.pem');
    const subj = '/CN=secc.test';
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        subj,
      ],
      { stdio: 'ignore' },
    );
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert), minVersion: 'TLSv1.3' }, (s) => {
      s.once('data', () => s.end(new Uint8Array(Buffer.from(RES, 'hex'))));
    });
    await new Promise<void>((r) => server.listen(0, '::1', r));
    const port = (server.address() as AddressInfo).port;
    const capture = await LinkCapture.start('lo', join(work, 'link.pcap'), `ip6 and tcp port ${port}`);
    const fromUs = Date.now() * 1000;
    let keylog = '';
    try {
      const client: TLSSocket = connect({ host: '::1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
      client.on('keylog', (line: Buffer) => (keylog += line.toString('latin1')));
      client.on('data', () => undefined); // read the answer, so that 'end' comes
      await new Promise<void>((r) => client.once('secureConnect', () => r()));
      client.write(new Uint8Array(Buffer.from(REQ, 'hex')));
      await new Promise<void>((r) => client.once('end', () => r()));
      client.destroy();
      // tcpdump writes each packet as it sees it (-U, immediate mode): wait until the whole exchange (handshake, both messages, the server's FIN) is in the file.
      while (readPcap(new Uint8Array(readFileSync(capture.file)), capture.file).packets.length < 12)
        await new Promise((r) => setImmediate(r));
    } finally {
      capture.stop();
      server.close();
    }
    const { linkType, packets } = capture.window(fromUs, Date.now() * 1000);
    const file = join(work, 'test.pcapng');
    writeFileSync(file, writePcapng({ linkType, packets, keylog, interfaceName: 'lo' }));
    const follow = execFileSync('tshark', ['-r', file, '-q', '-z', 'follow,tls,raw,0'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    expect(follow.replace(/\s/g, '')).to.include(REQ).and.to.include(RES);
    // Without the embedded key log the same packets stay encrypted: the DSB is what decrypts them.
    const bare = join(work, 'bare.pcapng');
    writeFileSync(bare, writePcapng({ linkType, packets, interfaceName: 'lo' }));
    const opaque = execFileSync('tshark', ['-r', bare, '-q', '-z', 'follow,tls,raw,0'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    expect(opaque.replace(/\s/g, '')).to.not.include(RES);
  });

  it('reads a pcap cut short at its end (tcpdump still writing) without the partial record', () => {
    const head = new Uint8Array(24);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, 0xa1b2c3d4, true);
    dv.setUint32(20, 1, true);
    const rec = new Uint8Array(16 + 4);
    new DataView(rec.buffer).setUint32(8, 4, true);
    const whole = new Uint8Array([...head, ...rec, ...rec.slice(0, 10)]);
    expect(readPcap(whole, 'x').packets).to.have.length(1);
  });
});
