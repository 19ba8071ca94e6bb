// The requirement table of the CCS2 current ramp and stop suite: the labels the report files each id under,
// per protocol (the clause of the power behaviour is IEC 61851-23's, the message it is judged through the protocol's).

import { PROTOCOL_NAMES, type CcsProtocol } from '../../drivers/iso15118/ccs/protocols.ts';
import { requirementTable, type Requirement } from '../support/requirements.ts';
import { CURRENT_IDS } from './current-ids.ts';
import { EPIC } from './handshake-support.ts';

const IEC = 'IEC 61851-23:2014';
const MESSAGE: Record<CcsProtocol, string> = { din: 'DIN SPEC 70121:2014', iso2: 'ISO 15118-2:2014' };

function table(p: CcsProtocol) {
  const story = PROTOCOL_NAMES[p];
  return requirementTable(EPIC, CURRENT_IDS[p], {
    rampUp: { feature: 'Current ramp', story, clause: `${IEC} 101.2.1 (response to a changed current request)`, severity: 'critical' },
    accuracy: { feature: 'Current ramp', story, clause: `${IEC} 101.2.1.2.1 (constant current control accuracy)`, severity: 'critical' },
    present: { feature: 'Current ramp', story, clause: `${IEC} 101.2.1.2.1; ${MESSAGE[p]} CurrentDemandRes EVSEPresentCurrent/Voltage` },
    downStep: { feature: 'Current ramp', story, clause: `${IEC} 101.2.1.4 (descending rate of current)`, severity: 'critical' },
    evMax: {
      feature: 'Vehicle maxima',
      story,
      clause: `IEC 61851-23:2023 6.3.1.106.3 / CC.6.2; ${MESSAGE[p]} CurrentDemandReq EVMaximumVoltageLimit / EVMaximumCurrentLimit`,
      severity: 'blocker',
    },
    stop: {
      feature: 'Stop',
      story,
      clause: `${IEC} 101.2.1.4; IEC 61851-23:2023 CC.7.6.20; ${MESSAGE[p]} PowerDelivery / WeldingDetection`,
      severity: 'blocker',
    },
  });
}

export const CURRENT_REQUIREMENTS: Record<CcsProtocol, Readonly<Record<keyof (typeof CURRENT_IDS)['din'], Requirement>>> = {
  din: table('din'),
  iso2: table('iso2'),
};
