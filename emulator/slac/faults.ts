// Fault switches of the emulated charger-side SLAC responder (ISO 15118-3). Each one makes exactly the
// listed tests of suites/ccs2 fail (the self-validation proves it, on benches/emulator-ccs2.yaml).

import type { FaultSwitch } from '../fault-catalogue.ts';

export const SLAC_FAULT = {
  noParmCnf: 'slac-parm-cnf-missing',
  wrongRunId: 'slac-wrong-runid',
  attenuationTooWeak: 'slac-attenuation-too-weak',
  wrongNmk: 'slac-match-wrong-nmk',
  answersOnce: 'slac-parm-answers-once',
  matchAnsweredByAll: 'slac-match-answered-by-every-evse',
} as const;

const f = (
  name: string,
  description: string,
  catches: string[],
  category: FaultSwitch['category'],
  checks: string[],
  outcomes?: FaultSwitch['outcomes'],
): FaultSwitch => ({
  name,
  description,
  component: 'slac-responder',
  suite: 'ccs2',
  catches,
  category,
  checks,
  ...(outcomes ? { outcomes } : {}),
});

const broken = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'bench fault' as const]));

export const SLAC_FAULTS: FaultSwitch[] = [
  f(
    SLAC_FAULT.noParmCnf,
    'no EVSE answers CM_SLAC_PARM.REQ (no CNF at all)',
    ['CCS2-SLAC-PARM-001', 'CCS2-SLAC-ATTEN-001', 'CCS2-SLAC-MATCH-001', 'CCS2-SLAC-RETRY-001', 'CCS2-SLAC-MULTI-001'],
    'protocol violation',
    ['CM_SLAC_PARM.CNF answers within TT_match_response'],
    broken('CCS2-SLAC-ATTEN-001', 'CCS2-SLAC-MATCH-001', 'CCS2-SLAC-RETRY-001', 'CCS2-SLAC-MULTI-001'),
  ),
  f(
    SLAC_FAULT.wrongRunId,
    "the EVSEs answer with a RunID other than the vehicle's",
    ['CCS2-SLAC-PARM-001', 'CCS2-SLAC-ATTEN-001', 'CCS2-SLAC-MATCH-001', 'CCS2-SLAC-RETRY-001', 'CCS2-SLAC-MULTI-001'],
    'protocol violation',
    ["CM_SLAC_PARM.CNF carries the vehicle's RunID"],
    broken('CCS2-SLAC-ATTEN-001', 'CCS2-SLAC-MATCH-001', 'CCS2-SLAC-RETRY-001', 'CCS2-SLAC-MULTI-001'),
  ),
  f(
    SLAC_FAULT.attenuationTooWeak,
    "the charger's modem reports the vehicle's sounds 40 dB weaker than they are",
    ['CCS2-SLAC-ATTEN-001'],
    'protocol violation',
    ['average attenuation of the matched EVSE'],
  ),
  f(
    SLAC_FAULT.wrongNmk,
    "CM_SLAC_MATCH.CNF carries an NMK other than the one the charger's modem uses: the vehicle cannot join",
    ['CCS2-SLAC-MATCH-001'],
    'protocol violation',
    ["the vehicle's modem joins the charger's network within TT_match_join"],
  ),
  f(
    SLAC_FAULT.answersOnce,
    'an EVSE answers only the first CM_SLAC_PARM.REQ of a RunID, not its repeat',
    ['CCS2-SLAC-RETRY-001'],
    'protocol violation',
    ['a repeated CM_SLAC_PARM.REQ is answered'],
  ),
  f(
    SLAC_FAULT.matchAnsweredByAll,
    'every EVSE on the line answers a CM_SLAC_MATCH.REQ, also one addressed to another EVSE',
    ['CCS2-SLAC-MULTI-001'],
    'protocol violation',
    ['only the chosen EVSE answers CM_SLAC_MATCH.REQ'],
  ),
];
