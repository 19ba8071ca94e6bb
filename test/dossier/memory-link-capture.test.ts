// The capture of an in-process V2G link (issue 11 item 1: "in-process links write the same format from the socket
// layer"). First the recorder alone: a TLS 1.3 session over a memory stream pair and an SDP exchange, written as
// Ethernet/IPv6 frames; tshark checks every checksum, reassembles the TCP stream, decrypts it with the key log the
// pcapng embeds and finds V2GTP in TLS and SDP on UDP. Then a short virtual-bench run of one MCS and one CCS2 test:
// each test carries the capture of its own port's link, under the name the network bench gives it, and tshark
// reads that port's V2GTP messages from it.

import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { memoryStreamPair } from '../../drivers/core/memory-stream.ts';
import { PcapTail } from '../../drivers/iso15118/capture-tail.ts';
import { writePcapng } from '../../drivers/iso15118/capture-pcapng.ts';
import { MemoryLinkRecorder } from '../../drivers/iso15118/memory-capture.ts';
import { encodeSdpRequest, encodeSdpResponse, SdpSecurity, SdpTransport } from '../../drivers/iso15118/sdp-codec.ts';
import { inProcessLinks } from '../../runner/memory-link-capture.ts';
import { mcsHil, onlyRunDir, ROOT, tmp } from '../foundation/helpers.ts';

const V2GTP_LUA = join(ROOT, 'tools/wireshark/v2gtp.lua');
/** supportedAppProtocolReq / Res as V2GTP frames (0x8001). */
const REQ = '01fe8001000000258000f3ab9371d34b9b79d39ba321d34b9b79d189a98989c1d1699181d22218010000040040';
const RES = '01fe80010000000480400040';
const MCS_TEST = 'offers the MCS energy service';
const CCS_TEST = 'ISO 15118-2: answers each request of the DC flow with OK';

const missing = ['tshark', 'openssl'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error);

/** The frames tshark shows through `filter`, each as its `fields` (tab-separated in tshark's output). */
function tshark(file: string, filter: string, fields: string[], prefs: string[] = []): string[][] {
  const args = ['-X', `lua_script:${V2GTP_LUA}`, ...prefs, '-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  expect(r.status, `tshark ${args.join(' ')}: ${r.stderr}`).to.equal(0);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

/** The V2GTP payload types tshark finds in the file (several in one segment are one comma-separated field). */
const payloadTypes = (file: string) => tshark(file, 'v2gtp', ['v2gtp.payload_type']).flatMap(([t]) => t.split(','));

/** A self-signed P-256 server certificate and key, PEM. */
function serverCredentials(dir: string): { key: Buffer; cert: Buffer } {
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=secc.memory'];
  execFileSync('openssl', [...args, '-keyout', key, '-out', cert, '-days', '1'], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** One TLS 1.3 exchange (REQ → RES, then the vehicle closes) over a memory stream pair the recorder taps; the vehicle's key log. */
async function tlsOverMemory(recorder: MemoryLinkRecorder, clock: VirtualClock, creds: { key: Buffer; cert: Buffer }): Promise<string> {
  const [evEnd, chargerEnd] = memoryStreamPair(recorder.connection(clock));
  // A TLSSocket runs over any Duplex (Node's documentation); its type names only net.Socket.
  const server = new TLSSocket(chargerEnd as Socket, { isServer: true, ...creds, minVersion: 'TLSv1.3' });
  server.on('data', () => server.end(new Uint8Array(Buffer.from(RES, 'hex'))));
  server.on('error', () => undefined);
  const client = connect({ socket: evEnd, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  let keylog = '';
  client.on('keylog', (line: Buffer) => (keylog += line.toString('latin1')));
  await new Promise<void>((r) => client.once('secureConnect', () => r()));
  client.write(new Uint8Array(Buffer.from(REQ, 'hex')));
  client.on('data', () => undefined);
  await new Promise<void>((r) => client.once('end', () => r()));
  client.end();
  await new Promise<void>((r) => client.once('close', () => r()));
  return keylog;
}

describe('in-process link capture: the socket layer written as the real link', function () {
  if (missing.length) {
    it.skip(`${missing.join(' and ')} not installed (apt-get install tshark openssl; .ci/run does): the capture is not checked`);
    return;
  }

  it('holds SDP on UDP and a TLS session that tshark reassembles and decrypts from the pcapng alone', async function () {
    const dir = tmp('mcs-hil-memory-capture-');
    const recorder = new MemoryLinkRecorder(join(dir, 'capture.pcap'));
    const clock = new VirtualClock();
    const tail = new PcapTail(recorder.file);
    recorder.sdp(clock, 0, encodeSdpRequest({ security: SdpSecurity.Tls, transport: SdpTransport.Tcp }));
    recorder.sdp(clock, 1, encodeSdpResponse({ address: 'fe80::1', port: 50000, security: SdpSecurity.Tls, transport: SdpTransport.Tcp }));
    const keylog = await tlsOverMemory(recorder, clock, serverCredentials(dir));
    recorder.close();
    const file = join(dir, 'test.pcapng');
    writeFileSync(file, writePcapng({ ...tail.next(), keylog, interfaceName: 'in-process' }));

    // One pass over the frames (tshark takes a second to start): what each is, and what V2GTP it carries.
    const frames = tshark(file, 'udp || tcp', [
      'udp.dstport',
      'tcp.srcport',
      'tcp.flags.syn',
      'tcp.flags.fin',
      'tls.record.content_type',
      'v2gtp.payload_type',
    ]);
    const set = (v: string) => v === '1' || v === 'True'; // tshark prints flags either way, by version
    const types = (pick: (f: string[]) => boolean) => frames.filter(pick).map((f) => f[5]);
    expect(
      types((f) => f[0] === '15118'),
      'SDP request to the SDP port',
    ).to.deep.equal(['0x9000']);
    expect(
      types((f) => f[0] !== '' && f[0] !== '15118'),
      'SDP response to the vehicle',
    ).to.deep.equal(['0x9001']);
    expect(
      types((f) => f[4] !== '' && f[5] !== ''),
      'V2GTP decrypted from TLS records',
    ).to.deep.equal(['0x8001', '0x8001']);
    expect(
      frames.filter((f) => set(f[2])).map((f) => f[1]),
      'SYN from the vehicle (its next port: SDP had 49152), SYN-ACK from port 50000',
    ).to.deep.equal(['49153', '50000']);
    expect(
      frames.filter((f) => set(f[3])),
      'a FIN from each side',
    ).to.have.length(2);
    // Every checksum right, and TCP's analysis finds nothing out of order, lost or retransmitted.
    const checked = ['-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
    const bad = 'tcp.checksum.status != 1 || udp.checksum.status != 1 || (tcp.analysis.flags && !tcp.analysis.window_update)';
    expect(tshark(file, bad, ['frame.number'], checked)).to.deep.equal([]);
  });

  describe('a virtual-bench run: each test carries its own port link capture', function () {
    this.timeout(0); // a virtual-time run of two short tests: as long as the machine needs to start it
    const captures = new Map<string, { name: string; file: string }[]>();
    before(function () {
      const out = tmp('mcs-hil-memory-capture-run-');
      const grep = `${MCS_TEST}|${CCS_TEST}`;
      const run = mcsHil(['run', '--bench', 'benches/emulator-virtual.yaml', '--suite', 'mcs,ccs2', '--grep', grep, '--out', out]);
      expect(run.status, `both tests pass:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`).to.equal(0);
      const results = join(onlyRunDir(out), 'allure-results');
      const json = (suffix: string) =>
        readdirSync(results)
          .filter((f) => f.endsWith(suffix))
          .map((f) => JSON.parse(readFileSync(join(results, f), 'utf8')));
      type Step = { name: string; attachments?: { name: string; source: string }[]; steps?: Step[] };
      const attachments = (s: Step): { name: string; source: string }[] => [
        ...(s.attachments ?? []),
        ...(s.steps ?? []).flatMap(attachments),
      ];
      const containers = json('-container.json');
      for (const t of json('-result.json') as (Step & { uuid: string })[]) {
        const afters = containers.filter((c) => (c.children ?? []).includes(t.uuid)).flatMap((c) => c.afters ?? []);
        const pcaps = [t, ...afters].flatMap(attachments).filter((a) => a.name.includes('.pcapng'));
        captures.set(t.name, [...new Map(pcaps.map((a) => [a.source, { name: a.name, file: join(results, a.source) }])).values()]);
      }
    });

    function captureOf(title: string): { name: string; file: string } {
      const test = [...captures.keys()].find((k) => k.includes(title));
      const list = captures.get(test ?? '') ?? [];
      expect(list, `${title}: one link capture`).to.have.length(1);
      return list[0];
    }

    it('MCS: the ev-link capture holds the TCP handshake and the -20 messages as V2GTP', function () {
      const c = captureOf(MCS_TEST);
      expect(c.name).to.match(/^ev-link\.pcapng \(in-process link capture/);
      expect(tshark(c.file, 'tcp.flags.syn == 1', ['tcp.srcport']).flat(), 'SYN, SYN-ACK').to.deep.equal(['49152', '50000']);
      const types = payloadTypes(c.file);
      expect(types, 'supportedAppProtocol').to.include('0x8001');
      expect(types.filter((t) => t === '0x8002').length, '-20 CommonMessages').to.be.at.least(6);
    });

    it('CCS2: the plc capture holds the -2 EXI messages as V2GTP', function () {
      const c = captureOf(CCS_TEST);
      expect(c.name).to.match(/^plc\.pcapng \(in-process link capture/);
      const types = payloadTypes(c.file);
      expect(
        types.filter((t) => t === '0x8001').length,
        'supportedAppProtocol … SessionStop, each request with its response',
      ).to.be.at.least(2 * 10);
    });
  });
});

describe('which in-process links a bench has, and their names', function () {
  it('names each port as the network bench names its link, and keeps a name a network link already has for that link', function () {
    const resources = {
      charger: { kind: 'emulated-mcs-charger', link: 'memory' },
      vehicle: { kind: 'iso15118-ev', memory: 'charger' },
      'ccs-ev': { kind: 'ccs-ev', memory: 'ccs-charger' },
      plc: { kind: 'emulated-plc-link' },
      'ccs-ev-2': { kind: 'ccs-ev', plc: 'plc' },
    };
    const links = inProcessLinks({ config: { resources } } as unknown as Parameters<typeof inProcessLinks>[0]);
    expect(links.map((l) => [l.name, l.vehicles])).to.deep.equal([
      ['ev-link', ['vehicle']],
      ['plc-ccs-ev', ['ccs-ev']],
    ]);
  });
});
