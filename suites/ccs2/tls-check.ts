// ISO 15118-2's TLS on the CCS2 port, judged from what the vehicle observed: its SDP exchange (did the
// charger answer TLS, 0x00?) and its TLS connection (the version and suite negotiated, or why the handshake
// failed), as recorded on the timeline. -2 makes TLS optional: a charger answering 0x10 is not judged here.
// Each test's TLS key logs (SSLKEYLOGFILE format) go into the evidence, so the capture can be decrypted.

import { existsSync } from 'node:fs';
import type { Bench } from '../../benches/bench.ts';
import type { CcsEvResource } from '../../benches/kinds/ccs-ev.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { isIso2CipherSuite, ISO15118_2_CIPHER_SUITES } from '../../drivers/iso15118/ccs/tls.ts';
import { CCS_EV_KIND } from '../../drivers/iso15118/ccs/vehicle.ts';
import { attachFile, check, step } from '../../reports/evidence.ts';
import { precondition } from '../support/power-trace.ts';
import * as h from './handshake-support.ts';

export const TLS_CLAUSE = 'ISO 15118-2:2014 [V2G2-602] (TLS 1.2 with its cipher suites), [V2G2-006] (secp256r1)';
export const CHAIN_CLAUSE = 'ISO 15118-2:2014 TLS: the SECC authenticates with its certificate chain up to a V2G root';

interface LinkEvent {
  event?: string;
  answered?: string;
  tls?: { protocol: string | null; cipher: string; peerChain?: string[] };
  reason?: string;
  error?: string;
}

/**
 * Hooks of a describe block: after each test, the TLS key logs (SSLKEYLOGFILE format) of the sessions the bench's
 * CCS2 vehicle opened during it are attached, so its capture decrypts in Wireshark.
 */
export function attachTlsKeylogsAfterEach(): void {
  let mark = 0;
  const vehicleOf = (bench: Bench) => bench.find<CcsEvResource>(CCS_EV_KIND);
  beforeEach(function () {
    mark = vehicleOf(this.bench)?.sessionKeylogs.length ?? 0;
  });
  afterEach(function () {
    for (const f of vehicleOf(this.bench)?.sessionKeylogs.slice(mark) ?? [])
      if (existsSync(f)) attachFile('tls-keylog (SSLKEYLOGFILE)', f, 'text/plain', 'keylog');
  });
}

/** The vehicle's link events (SDP security, connect, connect-failed) after a timeline mark. */
function linkEvents(bench: Bench, vehicle: CcsEvResource, afterSeq: number): LinkEvent[] {
  return bench.timeline.query({ kind: 'link', source: vehicle.name, afterSeq }).map((e) => e.data as LinkEvent);
}

interface TlsRun {
  connected?: LinkEvent;
  refused?: LinkEvent;
}

/**
 * One -2 session asking for TLS, set up to SessionSetup and ended, its key log attached: what the vehicle saw of
 * the TLS connection. Skips where there is nothing to judge (in-process link, a bench not asking for TLS, a
 * charger answering SDP without TLS); broken when SDP or the connection did not happen.
 */
async function tlsRun(ctx: Mocha.Context): Promise<TlsRun> {
  const { bench } = ctx;
  h.requireDeclared(bench, ctx, 'iso2');
  const vehicle = h.ccsVehicleOf(bench, ctx);
  // In-process link (virtual bench): no SDP and no TLS to judge; the real-socket bench runs this test.
  if (vehicle.settings.memory) ctx.skip();
  // The bench does not ask for TLS (ccs-ev 'tls'): nothing to judge.
  if (!vehicle.settings.tls) ctx.skip();
  const mark = bench.timeline.mark();
  let failure: Error | undefined;
  try {
    const session = await vehicle.openSession({ protocols: ['iso2'] });
    await session.runUntil('SessionSetup').finally(() => session.end('TLS check'));
  } catch (e) {
    if (e instanceof BenchFault) throw e;
    failure = e as Error;
  }
  const events = linkEvents(bench, vehicle, mark);
  const sdp = events.find((e) => e.event === 'sdp-security');
  precondition('the charger answered SDP', !!sdp, sdp ? `security ${sdp.answered}` : `no answer${failure ? `: ${failure.message}` : ''}`);
  if (sdp!.answered !== 'TLS') {
    step(`the charger answered SDP with ${sdp!.answered}: ISO 15118-2 makes TLS optional, there is no TLS session to judge`, () => 0);
    ctx.skip();
  }
  const connected = events.find((e) => e.event === 'connect');
  const refused = events.find((e) => e.event === 'connect-failed');
  precondition(
    'the vehicle opened a TLS connection to the port SDP announced (or the handshake failed)',
    !!connected?.tls || !!refused?.reason,
    connected?.tls ? `${connected.tls.protocol} ${connected.tls.cipher}` : (refused?.error ?? failure?.message ?? 'no connection'),
  );
  return { connected, refused };
}

const failedHow = (refused: LinkEvent | undefined) => `handshake failed (${refused?.reason}): ${refused?.error}`;

/** The charger negotiated TLS 1.2 with a -2 cipher suite. */
export async function judgeIso2TlsSuite(ctx: Mocha.Context): Promise<void> {
  const { connected, refused } = await tlsRun(ctx);
  // An untrusted chain ends the handshake after the suite was chosen: the chain test judges that, this one cannot.
  precondition(
    "the handshake got past the charger's certificate",
    refused?.reason !== 'server-chain-untrusted',
    connected ? 'yes' : failedHow(refused),
  );
  const t = connected?.tls;
  check('ISO 15118-2 TLS version and cipher suite', t?.protocol === 'TLSv1.2' && isIso2CipherSuite(t.cipher), {
    violation: 'protocol',
    clause: TLS_CLAUSE,
    verified: false,
    expected: `TLSv1.2 with ${ISO15118_2_CIPHER_SUITES.join(' or ')}`,
    actual: t ? `${t.protocol} with ${t.cipher}` : failedHow(refused),
  });
}

/** The charger's certificate chain leads to a V2G root the bench trusts. */
export async function judgeIso2TlsChain(ctx: Mocha.Context): Promise<void> {
  const { connected, refused } = await tlsRun(ctx);
  precondition(
    "the handshake reached the charger's certificate",
    !!connected || refused?.reason === 'server-chain-untrusted',
    connected ? 'yes' : failedHow(refused),
  );
  const chain = connected?.tls?.peerChain ?? [];
  check('SECC certificate chain leads to the V2G root', !!connected, {
    violation: 'protocol',
    clause: CHAIN_CLAUSE,
    verified: false,
    expected: 'a chain (SECC leaf, CPO sub-CAs) the vehicle verifies against its V2G root',
    actual: connected ? chain.join(' ← ') : failedHow(refused),
  });
}
