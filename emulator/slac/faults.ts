// Fault switches of the emulated charger-side SLAC responder (ISO 15118-3). Each one makes exactly the
// listed tests of suites/ccs2 fail; a test whose precondition the fault takes away ends broken (outcomes).
// The virtual bench has no raw Ethernet: the self-validation proves these on the real-socket emulator bench.

import type { FaultSwitch } from '../fault-catalogue.ts';

export const SLAC_FAULT = {
  noParmCnf: 'slac-parm-cnf-missing',
  wrongRunId: 'slac-wrong-runid',
  attenuationTooWeak: 'slac-attenuation-too-weak',
  attenCharLate: 'slac-atten-char-late',
  noMatchCnf: 'slac-match-cnf-missing',
  wrongNmk: 'slac-match-wrong-nmk',
  answersOnce: 'slac-parm-answers-once',
  matchAnsweredByAll: 'slac-match-answered-by-every-evse',
} as const;

/** The suite's test-case ids (suites/ccs2/test-ids.ts; the emulator may not import suites). */
const PARM = 'CCS2-SLAC-PARM-001';
const ATTEN = 'CCS2-SLAC-ATTEN-001';
const MATCH = 'CCS2-SLAC-MATCH-001';
const RETRY = 'CCS2-SLAC-RETRY-001';
const MULTI = 'CCS2-SLAC-MULTI-001';

const f = (name: string, description: string, catches: string[], checks: string[], broken: string[] = []): FaultSwitch => ({
  name,
  description,
  component: 'slac-responder',
  suite: 'ccs2',
  catches: [...catches, ...broken],
  category: 'protocol violation',
  checks,
  ...(broken.length ? { outcomes: Object.fromEntries(broken.map((id) => [id, 'bench fault' as const])) } : {}),
});

export const SLAC_FAULTS: FaultSwitch[] = [
  f(
    SLAC_FAULT.noParmCnf,
    'no EVSE answers CM_SLAC_PARM.REQ',
    [PARM],
    ['CM_SLAC_PARM.CNF answers within TT_match_response'],
    [ATTEN, MATCH, RETRY, MULTI],
  ),
  f(
    SLAC_FAULT.wrongRunId,
    "the EVSEs answer with a RunID other than the vehicle's",
    [PARM],
    ["CM_SLAC_PARM.CNF carries the vehicle's RunID"],
    [ATTEN, MATCH, RETRY, MULTI],
  ),
  f(
    SLAC_FAULT.attenuationTooWeak,
    "the charger's modem reports the vehicle's sounds 40 dB weaker than they are",
    [ATTEN],
    ['average attenuation of the matched EVSE'],
  ),
  f(
    SLAC_FAULT.attenCharLate,
    'the EVSEs report the attenuation 900 ms after their sounding window closes, past TT_EV_atten_results',
    [ATTEN],
    ['CM_ATTEN_CHAR.IND within TT_EV_atten_results'],
    [MATCH, MULTI],
  ),
  f(SLAC_FAULT.noMatchCnf, 'no EVSE answers CM_SLAC_MATCH.REQ', [MATCH], ['CM_SLAC_MATCH.CNF answers within TT_match_response']),
  f(
    SLAC_FAULT.wrongNmk,
    "CM_SLAC_MATCH.CNF carries an NMK other than the one the charger's modem uses: the vehicle cannot join",
    [MATCH],
    ["the vehicle's modem joins the charger's network within TT_match_join"],
  ),
  f(
    SLAC_FAULT.answersOnce,
    'an EVSE answers only the first CM_SLAC_PARM.REQ of a RunID, not its repeat',
    [RETRY],
    ['a repeated CM_SLAC_PARM.REQ is answered'],
  ),
  f(
    SLAC_FAULT.matchAnsweredByAll,
    'every EVSE on the line answers a CM_SLAC_MATCH.REQ, also one addressed to another EVSE',
    [MULTI],
    ['only the chosen EVSE answers CM_SLAC_MATCH.REQ'],
  ),
];
