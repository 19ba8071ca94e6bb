// The documents of test/exi/fixtures/c-loop-deviations.json and how their streams are made: each is
// composed twice by ./c-loop-streams.ts (libcbv2g LOOP style and EXI 1.0 strict style), never by our
// codec. Regenerate the fixture after changing a document:   npx tsx test/exi/support/c-loop-fixtures.ts

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  dcChargeLoopRes,
  scheduleExchangeRes,
  serviceDiscoveryRes,
  serviceSelectionReq,
  type ComposedStream,
  type Style,
} from './c-loop-streams.ts';

export interface CLoopCase {
  id: string;
  grammar: 'cm' | 'dc';
  /** Path of the element that holds the full repetition, and the repeated child. */
  element: string;
  repeated: string;
  maxOccurs: number;
  document: Record<string, unknown>;
  /** Anything about how this stream was made beyond the common recipe. */
  note?: string;
  compose(style: Style): ComposedStream;
}

const Header = { SessionID: '3D4CBF93374ED89B', TimeStamp: 1725456322 };
const R = (Value: number, Exponent = 0) => ({ Exponent, Value });

const services = [2, 6, 1, 5, 3, 4, 7, 8].map((ServiceID, i) => ({ ServiceID, FreeService: i % 3 === 0 }));
const discovery = {
  Header,
  ResponseCode: 'OK' as const,
  ServiceRenegotiationSupported: true,
  EnergyTransferServiceList: { Service: services },
};

const tuple = (id: number, kw: number) => ({
  ScheduleTupleID: id,
  ChargingSchedule: {
    PowerSchedule: {
      TimeAnchor: 1727082831,
      PowerScheduleEntries: {
        PowerScheduleEntry: [
          { Duration: 3600, Power: R(kw, 3) },
          { Duration: 82800, Power: R(-kw, 2) },
        ],
      },
    },
  },
});
const exchange = {
  Header,
  ResponseCode: 'OK' as const,
  EVSEProcessing: 'Finished' as const,
  Scheduled_SEResControlMode: { ScheduleTuple: [tuple(1, 350), tuple(2, 150), tuple(3, 50)] },
};

const vas = Array.from({ length: 16 }, (_, i) => ({ ServiceID: 60 + i, ParameterSetID: i * 9 }));
const selection = { Header, SelectedEnergyTransferService: { ServiceID: 2, ParameterSetID: 1 }, SelectedVASList: { SelectedService: vas } };

const taxes = Array.from({ length: 10 }, (_, i) => ({ TaxRuleID: i + 1, Amount: R(125 * (i + 1), -2) }));
const chargeLoop = {
  Header,
  ResponseCode: 'OK' as const,
  Receipt: { TimeAnchor: 1725456334, TaxCosts: taxes },
  EVSEPresentCurrent: R(2998, -1),
  EVSEPresentVoltage: R(9870, -1),
  EVSEPowerLimitAchieved: false,
  EVSECurrentLimitAchieved: true,
  EVSEVoltageLimitAchieved: false,
  Scheduled_DC_CLResControlMode: {},
};

export const C_LOOP_CASES: CLoopCase[] = [
  {
    id: 'service-discovery-res-8-services',
    grammar: 'cm',
    element: 'ServiceDiscoveryRes.EnergyTransferServiceList',
    repeated: 'Service',
    maxOccurs: 8,
    document: { ServiceDiscoveryRes: discovery },
    compose: (style) => serviceDiscoveryRes(discovery, style),
  },
  {
    id: 'schedule-exchange-res-3-tuples',
    grammar: 'cm',
    element: 'ScheduleExchangeRes.Scheduled_SEResControlMode',
    repeated: 'ScheduleTuple',
    maxOccurs: 3,
    document: { ScheduleExchangeRes: exchange },
    compose: (style) => scheduleExchangeRes(exchange, style),
  },
  {
    id: 'service-selection-req-16-vas',
    grammar: 'cm',
    element: 'ServiceSelectionReq.SelectedVASList',
    repeated: 'SelectedService',
    maxOccurs: 16,
    document: { ServiceSelectionReq: selection },
    compose: (style) => serviceSelectionReq(selection, style),
  },
  {
    // The DC schema's own repetition: a receipt with the full list of taxes in the charge loop.
    id: 'dc-charge-loop-res-receipt-10-taxes',
    grammar: 'dc',
    element: 'DC_ChargeLoopRes.Receipt',
    repeated: 'TaxCosts',
    maxOccurs: 10,
    document: { DC_ChargeLoopRes: chargeLoop },
    note:
      'TaxCosts is written in the LOOP form the C generator uses for its repetitions of 3 or more items (seen on ' +
      'Service, ScheduleTuple, SelectedService); its DC ReceiptType encoder itself was not read. The message around ' +
      'the receipt reproduces the public DC_ChargeLoopRes vector dc_charge_loop/3 byte for byte.',
    compose: (style) => dcChargeLoopRes(chargeLoop, style),
  },
];

export const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/c-loop-deviations.json');

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** One vector of the fixture file: the case, its bytes in both styles, and where the end code starts. */
export interface CLoopVector extends Pick<CLoopCase, 'id' | 'grammar' | 'element' | 'repeated' | 'maxOccurs' | 'note' | 'document'> {
  produced: string;
  endCodeAtBit: number;
  cHex: string;
  cBits: number;
  strictHex: string;
  strictBits: number;
}

/** The fixture's content: what each stream is, its bytes in both styles, and where the end code starts. */
export function fixtureJson(): string {
  const vectors = C_LOOP_CASES.map((c): CLoopVector => {
    const cStream = c.compose('c');
    const strict = c.compose('strict');
    return {
      id: c.id,
      grammar: c.grammar,
      produced:
        `composed event by event by test/exi/support/c-loop-streams.ts in the libcbv2g LOOP style: after the ${c.maxOccurs}th ` +
        `${c.repeated} the end of ${c.element} is the 2-bit code 1 ('01'); the same composer reproduces libcbv2g's own ` +
        `vectors of this message with fewer items byte for byte`,
      element: c.element,
      repeated: c.repeated,
      maxOccurs: c.maxOccurs,
      endCodeAtBit: cStream.endCodeAt,
      cHex: hex(cStream.bytes),
      cBits: cStream.bitLength,
      strictHex: hex(strict.bytes),
      strictBits: strict.bitLength,
      ...(c.note && { note: c.note }),
      document: c.document,
    };
  });
  const note =
    'EXI streams as libcbv2g-family C encoders write them when a repetition reaches maxOccurs (a LOOP grammar state ' +
    'that still codes the end in 2 bits where EXI 1.0 allows only the 1-bit end). cHex is that stream, strictHex the ' +
    'EXI 1.0 form of the same document. Both are composed from the EXI rules, not by our codec.';
  return `${JSON.stringify({ note, vectors }, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(FIXTURE, fixtureJson());
  console.log(`wrote ${FIXTURE}`);
}
