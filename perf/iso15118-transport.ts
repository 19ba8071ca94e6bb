// Throughput of V2GTP reassembly and cost of the TLS 1.3 (secp521r1 mutual auth) set-up vs plain TCP
// on the veth link. Prints numbers and ratios; judges nothing (shared machines are noisy).
//   npx tsx perf/iso15118-transport.ts        (needs root for the veth link, like the tests)
import { RealClock } from '../drivers/core/clock.ts';
import { Timeline } from '../drivers/core/timeline.ts';
import type { V2gConnection } from '../drivers/iso15118/connection.ts';
import { connectV2g } from '../drivers/iso15118/v2g-client.ts';
import { V2gServer } from '../drivers/iso15118/v2g-server.ts';
import { ensureTestPki } from '../drivers/iso15118/test-pki.ts';
import { ensureVethLink } from '../drivers/iso15118/veth.ts';
import { encodeV2gtp, V2gtpReader } from '../drivers/iso15118/v2gtp.ts';

const clock = new RealClock();

function readerThroughput(): void {
  const frame = encodeV2gtp(0x8004, new Uint8Array(120)); // a DC_ChargeLoop-sized message
  const stream = new Uint8Array(frame.length * 10_000);
  for (let i = 0; i < 10_000; i++) stream.set(frame, i * frame.length);
  for (const chunk of [7, 64, 1460]) {
    const r = new V2gtpReader();
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (let o = 0; o < stream.length; o += chunk) n += r.push(stream.subarray(o, o + chunk)).length;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(
      `V2GTP reader, ${chunk}-byte chunks: ${(n / s / 1000).toFixed(0)} k frames/s, ${(stream.length / s / 1e6).toFixed(1)} MB/s`,
    );
  }
}

async function setupAndEcho(tls: boolean, rounds: number): Promise<{ setupMs: number; rttMs: number }> {
  const link = await ensureVethLink({ evInterface: 'mcs-tev0', chargerInterface: 'mcs-tevse0' });
  const pki = await ensureTestPki();
  const timeline = new Timeline({ clock, memoryEvents: 1000 });
  const server = new V2gServer({
    clock,
    timeline,
    source: 'secc',
    address: link.chargerAddress,
    interface: link.chargerInterface,
    port: 0,
    tls: tls ? { identity: { chainFile: pki.secc.chain, keyFile: pki.secc.key }, trustedRootFiles: [pki.oemRootCert] } : undefined,
  });
  server.on('connection', async (c: V2gConnection) => {
    try {
      for (;;) {
        const f = await c.receive(10_000);
        await c.send(f.payloadType, f.payload);
      }
    } catch {
      /* closed */
    }
  });
  const port = await server.listen();
  let setup = 0;
  let rtt = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = clock.nowMs();
    const c = await connectV2g({
      clock,
      timeline,
      source: 'evcc',
      host: link.chargerAddress,
      interface: link.evInterface,
      port,
      timeoutMs: 10_000,
      tls: tls ? { trustedRootFiles: [pki.v2gRootCert], identity: { chainFile: pki.vehicle.chain, keyFile: pki.vehicle.key } } : undefined,
    });
    setup += clock.nowMs() - t0;
    const t1 = clock.nowMs();
    for (let k = 0; k < 20; k++) {
      await c.send(0x8004, new Uint8Array(120));
      await c.receive(5000);
    }
    rtt += (clock.nowMs() - t1) / 20;
    await c.close();
  }
  await server.close();
  return { setupMs: setup / rounds, rttMs: rtt / rounds };
}

readerThroughput();
const tcp = await setupAndEcho(false, 10);
const tls = await setupAndEcho(true, 10);
console.log(
  `connect: TCP ${tcp.setupMs.toFixed(2)} ms, TLS 1.3 mutual secp521r1 ${tls.setupMs.toFixed(2)} ms (ratio ${(tls.setupMs / tcp.setupMs).toFixed(1)}x)`,
);
console.log(
  `echo round trip (120-byte payload): TCP ${tcp.rttMs.toFixed(3)} ms, TLS ${tls.rttMs.toFixed(3)} ms (ratio ${(tls.rttMs / tcp.rttMs).toFixed(2)}x)`,
);
