// TLS 1.3 mutual authentication and SDP of an MCS charger, judged from the vehicle side: the charger refuses
// a vehicle without a client certificate, presents a chain rooted in the V2G root, and answers SDP on the
// first request with a TLS port in the dynamic range.

import { check, measure } from '../../reports/evidence.ts';
import { requirement } from '../support/requirements.ts';
import { V2G_REQUIREMENTS as R } from './requirements.ts';
import { precondition } from '../support/power-trace.ts';
import { describeOutcome, tlsVehicleOrSkip, v2gLimits as L } from './handshake-support.ts';
import { v2gFixture } from './session-fixture.ts';

describe('ISO 15118-20 handshake (MCS charger)', function () {
  const v2g = v2gFixture();

  it('refuses the TLS handshake of a vehicle that offers no client certificate', async function () {
    requirement(R.tlsNoClientCert);
    tlsVehicleOrSkip(this);
    let outcome: string;
    try {
      const s = await v2g.open({ clientCertificate: false });
      // In TLS 1.3 the client learns of the rejection at its first read.
      const ex = await s.exchange('supportedAppProtocol', {
        AppProtocol: [
          { ProtocolNamespace: 'urn:iso:std:iso:15118:-20:DC', VersionNumberMajor: 1, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 },
        ],
      });
      outcome = ex.outcome === 'response' ? 'session accepted without a client certificate' : `refused (${describeOutcome(ex)})`;
    } catch (e) {
      outcome = `refused (${(e as Error).message})`;
    }
    check('TLS handshake without a client certificate', outcome.startsWith('refused'), {
      violation: 'protocol',
      clause: '[V2G20-2400]',
      verified: false,
      expected: 'refused',
      actual: outcome,
    });
  });

  it('presents a TLS server chain rooted in the V2G root', async function () {
    requirement(R.tlsChainRoot);
    const vehicle = tlsVehicleOrSkip(this);
    let actual: string;
    let ok = false;
    try {
      const c = await vehicle.connect();
      await c.link.close();
      ok = c.chain?.rootedInV2gRoot === true;
      actual = `${c.chain?.detail} [${c.chain?.chain.join(' ← ')}]`;
    } catch (e) {
      actual = (e as Error).message;
    }
    check("charger's chain verifies against the V2G root", ok, {
      violation: 'protocol',
      clause: '[V2G20-2338]',
      verified: false,
      expected: 'chain rooted in the V2G root',
      actual,
    });
  });

  it('answers SDP on the first request, offering TLS on a port in the dynamic range', async function () {
    requirement(R.sdp);
    const vehicle = v2g.vehicle();
    if (!vehicle.networked) this.skip();
    const c = await vehicle.connect();
    await c.link.close();
    const sdp = c.sdp!;
    // Within the EVCC's wait (sdp.requestWaitMs) or not at all: a later answer meets the repeated request.
    const expected = `1 request, answered within ${L.num('sdp.requestWaitMs')} ms (the EVCC wait)`;
    const actual = `${sdp.requests} requests, the last answered after ${sdp.responseTimeMs.toFixed(1)} ms`;
    check('SDP answered on the first request', sdp.requests === 1, {
      violation: 'protocol',
      clause: L.get('sdp.requestWaitMs').clause,
      verified: false,
      expected,
      actual,
    });
    measure('SDP advertised port', sdp.port, L.get('sdp.advertisedPort'), { violation: 'protocol' });
    // The vehicle accepts only an answer with the security it asked for (else it keeps asking): a precondition.
    const security = `0x${sdp.security.toString(16).padStart(2, '0')}`;
    if (vehicle.settings.tls !== false) precondition('SDPRes offers TLS (Security 0x00), as requested', sdp.security === 0x00, security);
  });
});
