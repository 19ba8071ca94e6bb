// The emulated CCS charger answers the real cars' requests: each car's requests from ../shared/captures
// (read there, skipped where absent), decoded with our codec, are replayed in order against a fresh SECC
// session offering the protocol that session negotiated. Every answer must be the matching response,
// encode strictly (valid against the schema) and decode back to itself, with an OK response code: every
// captured flow is a valid one. The replay reacts to our answers as the car would: where our charger
// finished an Ongoing step (cable check, authorization) sooner than the captured one, the car's further
// repeats are skipped; where it is still Ongoing, the car's last request is repeated.

import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { decodeExi, encodeExi } from '../../drivers/exi/index.ts';
import { bodyOf, type CcsProtocol } from '../../emulator/ccs/ccs-protocol.ts';
import { CcsSeccSession, type CcsSeccConfig } from '../../emulator/ccs/ccs-session.ts';
import { IdealPowerStage } from '../../emulator/mcs/power-port.ts';
import { captureFiles, capturesDir, readCapturedSession } from '../exi/support/captures.ts';

/** Steps whose answer says Ongoing / Finished: while Ongoing the car asks again. */
const PROCESSING_STEPS = /^(Authorization|ContractAuthentication|ChargeParameterDiscovery|CableCheck)Req$/;
/** How often the replay repeats a request our charger still answers Ongoing (the car would, within its timeout). */
const MAX_REPEATS = 200;

function config(protocol: CcsProtocol): CcsSeccConfig {
  return {
    evseId: 'DE*MHL*E0002*1',
    protocols: [protocol],
    ratings: {
      maxVoltageV: 1000,
      minVoltageV: 150,
      maxCurrentA: 500,
      minCurrentA: 0,
      maxPowerW: 400_000,
      currentRegulationToleranceA: 5,
      peakCurrentRippleA: 2,
    },
    cableCheckMs: 300,
    authorizationOngoingCount: 1,
    faults: new Set(),
    slowCurrentDemandMs: { din: 137.5, iso2: 137.5 },
    pausedSessions: new Set(),
    output: {},
  };
}

interface Request {
  doc: Record<string, any>;
  name: string;
}

/** Time between two requests of the replay (a car's typical cycle; the adaptation below makes the exact gap irrelevant). */
const CYCLE_MS = 50;

function carRequests(file: string): { protocol: CcsProtocol; requests: Request[] } {
  const s = readCapturedSession(file);
  const requests = s.messages
    .filter((m) => m.from === 'ev')
    .map((m) => {
      const doc = decodeExi(m.grammar, m.exi) as Record<string, any>;
      return { doc, name: bodyOf(doc)?.name ?? Object.keys(doc)[0] };
    });
  return { protocol: s.messages[2].grammar as CcsProtocol, requests };
}

/** The request with our session's SessionID in its header (the car uses the one it was given). */
function inOurSession(doc: Record<string, any>, sessionId: string | undefined): Record<string, any> {
  if (!doc.V2G_Message || sessionId === undefined || bodyOf(doc)?.name === 'SessionSetupReq') return doc;
  return { V2G_Message: { ...doc.V2G_Message, Header: { ...doc.V2G_Message.Header, SessionID: sessionId } } };
}

describe('emulated CCS SECC: the real cars’ requests replayed (../shared/captures)', function () {
  const files = captureFiles();
  if (files.length === 0) {
    it.skip(`${capturesDir} not present: the capture replay against the emulated SECC does not run`);
    return;
  }

  for (const file of files) {
    it(`${file}: every request answered by its response, schema-valid, OK`, async function () {
      const { protocol, requests } = carRequests(file);
      const clock = new VirtualClock();
      const session = new CcsSeccSession(config(protocol), clock, new IdealPowerStage(() => 350));
      let answered = 0;
      let lastProcessing: string | undefined;
      const ask = async (r: Request, where: string) => {
        const decision = session.handle(inOurSession(r.doc, session.sessionId));
        const res = decision.response!;
        expect(res, `${where}: an answer`).to.not.equal(undefined);
        const grammar = decision.grammar;
        const bytes = encodeExi(grammar, res);
        expect(decodeExi(grammar, bytes), `${where}: the answer decodes back to itself`).to.deep.equal(res);
        const body = bodyOf(res);
        const name = body?.name ?? Object.keys(res)[0];
        expect(name, where).to.equal(r.name.replace(/Req$/, 'Res'));
        const code = String(body?.content.ResponseCode ?? res.supportedAppProtocolRes?.ResponseCode);
        expect(code, `${where}: ${name} ${decision.note ?? ''}`).to.match(/^OK/);
        lastProcessing = body?.content.EVSEProcessing;
        answered++;
      };
      for (let i = 0; i < requests.length; i++) {
        const r = requests[i];
        await clock.advance(CYCLE_MS);
        const previous = requests[i - 1];
        const repeat = previous && previous.name === r.name && PROCESSING_STEPS.test(r.name);
        // Our charger finished this step already: the car would have moved on.
        if (repeat && lastProcessing === 'Finished') continue;
        // Our charger is still Ongoing but the car moves on: it would have asked again first.
        for (let n = 0; previous && PROCESSING_STEPS.test(previous.name) && previous.name !== r.name && lastProcessing === 'Ongoing'; n++) {
          expect(n, `${file}: ${previous.name} still Ongoing`).to.be.lessThan(MAX_REPEATS);
          await clock.advance(CYCLE_MS);
          await ask(previous, `${file} ${previous.name} (repeated)`);
        }
        await ask(r, `${file} request ${i} ${r.name}`);
      }
      expect(answered, 'requests answered').to.be.greaterThan(10);
      expect(session.protocol).to.equal(protocol);
    });
  }
});
