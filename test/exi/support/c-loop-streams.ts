// Hand-composed EXI streams, event by event, the way a libcbv2g-family C encoder writes them — built
// from the EXI 1.0 rules and the C encoder's visible grammar, NOT from our codec (tests compare the two).
//
// Every element state below is written as "code / width" the way EXI 1.0 §8.5.4 gives it for the
// -20 schemas (non-strict: n declared productions take ceil(log2(n + 1)) bits), which is also what the
// C encoder's generated grammar comments show ("Grammar: ID=233; read/write bits=2; LOOP (Service),
// END Element"). The one difference is the end of a repetition that reached maxOccurs:
//   style 'c':      the C encoder's LOOP state keeps "one more item" → end = code 1 of 2 bits ('01')
//   style 'strict': EXI 1.0 unrolls the particle → after item n only the end is left → code 0 of 1 bit ('0')
// The same composer with fewer items than maxOccurs must reproduce public libcbv2g vectors byte for byte
// (test/exi/c-loop-deviation.test.ts checks that when ../shared/vectors is present).

export type Style = 'c' | 'strict';

class Bits {
  private readonly out: number[] = [];
  /** value in exactly n bits, MSB first. */
  code(value: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.out.push((value >>> i) & 1);
    return this;
  }
  /** EXI unsigned integer (§7.1.6): 7-bit groups, least significant first, high bit = more follow. */
  uint(v: number | bigint): this {
    let x = BigInt(v);
    do {
      const low = Number(x & 0x7fn);
      x >>= 7n;
      this.code(x > 0n ? low | 0x80 : low, 8);
    } while (x > 0n);
    return this;
  }
  /** EXI integer (§7.1.5): sign bit, then the magnitude (a negative v stores -v - 1). */
  int(v: number): this {
    return v < 0 ? this.code(1, 1).uint(-v - 1) : this.code(0, 1).uint(v);
  }
  hexBinary(hex: string): this {
    const bytes = Buffer.from(hex, 'hex');
    this.uint(bytes.length);
    for (const b of bytes) this.code(b, 8);
    return this;
  }
  get length(): number {
    return this.out.length;
  }
  /** Padded with zero bits to the octet (§7.1 bit-packed: the stream ends at the next byte boundary). */
  bytes(): Uint8Array {
    const n = Math.ceil(this.out.length / 8);
    const b = new Uint8Array(n);
    this.out.forEach((bit, i) => (b[i >>> 3] |= bit << (7 - (i & 7))));
    return b;
  }
}

/** A stream plus where the end-of-repetition code under test starts (bit offset, header included). */
export interface ComposedStream {
  bytes: Uint8Array;
  bitLength: number;
  endCodeAt: number;
}

// ---- simple content: SE code of the parent state, then CH (1 bit '0'), the value, EE (1 bit '0') ----
const simple = (w: Bits, se: [number, number], value: (w: Bits) => void) => {
  w.code(...se).code(0, 1);
  value(w);
  w.code(0, 1);
};

/** MessageHeaderType: SessionID, TimeStamp, then {SE(Signature), EE} → EE = 1 of 2 bits. */
function header(w: Bits, h: { SessionID: string; TimeStamp: number }): void {
  simple(w, [0, 1], (x) => x.hexBinary(h.SessionID));
  simple(w, [0, 1], (x) => x.uint(h.TimeStamp));
  w.code(1, 2);
}

/** Each item of a repetition: SE(item) in the first state's 1 bit, then in the loop state's {SE(item), EE} 2 bits. */
function eachItem<T>(w: Bits, items: T[], item: (x: T) => void): void {
  items.forEach((x, i) => {
    w.code(0, i === 0 ? 1 : 2);
    item(x);
  });
}

/** After item k of a repetition with maxOccurs max: one more item, or the end (where the styles differ). */
function loopEnd(w: Bits, count: number, max: number, style: Style): number {
  const at = w.length;
  if (count < max || style === 'c') w.code(1, 2);
  else w.code(0, 1);
  return at;
}

function start(rootCode: number): Bits {
  // Header 0x80, then DocContent SE(root): 6 bits in the -20 CommonMessages document grammar (54 global
  // elements sorted by qname + SE(*), §8.5.4.1.3); libcbv2g's vectors of these messages start the same way.
  return new Bits().code(0x80, 8).code(rootCode, 6);
}

const done = (w: Bits, endCodeAt: number): ComposedStream => ({ bytes: w.bytes(), bitLength: w.length, endCodeAt });

export interface ServiceDiscoveryRes {
  Header: { SessionID: string; TimeStamp: number };
  ResponseCode: 'OK';
  ServiceRenegotiationSupported: boolean;
  EnergyTransferServiceList: { Service: Array<{ ServiceID: number; FreeService: boolean }> };
}

/** ServiceDiscoveryRes (root code 32) with no VASList; EnergyTransferServiceList is ServiceListType, Service maxOccurs 8. */
export function serviceDiscoveryRes(doc: ServiceDiscoveryRes, style: Style): ComposedStream {
  const w = start(32);
  w.code(0, 1);
  header(w, doc.Header);
  simple(w, [0, 1], (x) => x.code(0, 6)); // ResponseCode: enumeration of 2^6 > values, OK = index 0
  simple(w, [0, 1], (x) => x.code(doc.ServiceRenegotiationSupported ? 1 : 0, 1));
  w.code(0, 1); // SE(EnergyTransferServiceList)
  const services = doc.EnergyTransferServiceList.Service;
  eachItem(w, services, (s) => {
    simple(w, [0, 1], (x) => x.uint(s.ServiceID));
    simple(w, [0, 1], (x) => x.code(s.FreeService ? 1 : 0, 1));
    w.code(0, 1); // EE of ServiceType: the only production left
  });
  const at = loopEnd(w, services.length, 8, style);
  w.code(1, 2); // {SE(VASList), EE} → EE; DocEnd has only ED (0 bits)
  return done(w, at);
}

export interface ServiceSelectionReq {
  Header: { SessionID: string; TimeStamp: number };
  SelectedEnergyTransferService: { ServiceID: number; ParameterSetID: number };
  SelectedVASList: { SelectedService: Array<{ ServiceID: number; ParameterSetID: number }> };
}

/** ServiceSelectionReq (root code 33) with a SelectedVASList (SelectedServiceListType, maxOccurs 16). */
export function serviceSelectionReq(doc: ServiceSelectionReq, style: Style): ComposedStream {
  const w = start(33);
  w.code(0, 1);
  header(w, doc.Header);
  const selected = (s: { ServiceID: number; ParameterSetID: number }) => {
    simple(w, [0, 1], (x) => x.uint(s.ServiceID));
    simple(w, [0, 1], (x) => x.uint(s.ParameterSetID));
    w.code(0, 1);
  };
  w.code(0, 1); // SE(SelectedEnergyTransferService)
  selected(doc.SelectedEnergyTransferService);
  w.code(0, 2); // {SE(SelectedVASList), EE} → SE
  const list = doc.SelectedVASList.SelectedService;
  eachItem(w, list, selected);
  const at = loopEnd(w, list.length, 16, style);
  w.code(0, 1); // EE of ServiceSelectionReq: the only production left
  return done(w, at);
}

export interface RationalNumber {
  Exponent: number;
  Value: number;
}
export interface ScheduleTuple {
  ScheduleTupleID: number;
  ChargingSchedule: {
    PowerSchedule: { TimeAnchor: number; PowerScheduleEntries: { PowerScheduleEntry: Array<{ Duration: number; Power: RationalNumber }> } };
  };
}
export interface ScheduleExchangeRes {
  Header: { SessionID: string; TimeStamp: number };
  ResponseCode: 'OK';
  EVSEProcessing: 'Finished';
  Scheduled_SEResControlMode: { ScheduleTuple: ScheduleTuple[] };
}

/** RationalNumberType: Exponent is xs:byte (n-bit: 8 bits of value + 128), Value xs:short (EXI integer). */
function rational(w: Bits, r: RationalNumber): void {
  simple(w, [0, 1], (x) => x.code(r.Exponent + 128, 8));
  simple(w, [0, 1], (x) => x.int(r.Value));
  w.code(0, 1);
}

/** ScheduleExchangeRes (root code 28), Scheduled mode; ScheduleTuple maxOccurs 3. */
export function scheduleExchangeRes(doc: ScheduleExchangeRes, style: Style): ComposedStream {
  const w = start(28);
  w.code(0, 1);
  header(w, doc.Header);
  simple(w, [0, 1], (x) => x.code(0, 6)); // ResponseCode OK
  simple(w, [0, 1], (x) => x.code(0, 2)); // EVSEProcessing: 3 values in 2 bits, Finished = 0
  w.code(2, 2); // {SE(GoToPause), SE(Dynamic_SEResControlMode), SE(Scheduled_SEResControlMode)} → Scheduled
  const tuples = doc.Scheduled_SEResControlMode.ScheduleTuple;
  eachItem(w, tuples, (t) => {
    simple(w, [0, 1], (x) => x.uint(t.ScheduleTupleID));
    w.code(0, 1); // SE(ChargingSchedule)
    w.code(0, 1); // SE(PowerSchedule)
    const ps = t.ChargingSchedule.PowerSchedule;
    simple(w, [0, 1], (x) => x.uint(ps.TimeAnchor));
    w.code(2, 2); // {SE(AvailableEnergy), SE(PowerTolerance), SE(PowerScheduleEntries)} → PowerScheduleEntries
    const entries = ps.PowerScheduleEntries.PowerScheduleEntry;
    eachItem(w, entries, (e) => {
      simple(w, [0, 1], (x) => x.uint(e.Duration));
      w.code(0, 1); // SE(Power)
      rational(w, e.Power);
      w.code(2, 2); // {SE(Power_L2), SE(Power_L3), EE} → EE
    });
    w.code(1, 2); // PowerScheduleEntry loop: EE (far below maxOccurs 1024)
    w.code(0, 1); // EE of PowerScheduleType
    w.code(2, 2); // {SE(AbsolutePriceSchedule), SE(PriceLevelSchedule), EE} → EE of ChargingScheduleType
    w.code(1, 2); // {SE(DischargingSchedule), EE} → EE of ScheduleTupleType
  });
  const at = loopEnd(w, tuples.length, 3, style);
  w.code(0, 1); // EE of ScheduleExchangeRes: the only production after the choice
  return done(w, at);
}

export interface DcChargeLoopRes {
  Header: { SessionID: string; TimeStamp: number };
  ResponseCode: 'OK';
  Receipt?: { TimeAnchor: number; TaxCosts: Array<{ TaxRuleID: number; Amount: RationalNumber }> };
  EVSEPresentCurrent: RationalNumber;
  EVSEPresentVoltage: RationalNumber;
  EVSEPowerLimitAchieved: boolean;
  EVSECurrentLimitAchieved: boolean;
  EVSEVoltageLimitAchieved: boolean;
  Scheduled_DC_CLResControlMode: Record<string, never>;
}

/** DC_ChargeLoopRes (root code 14 of 6 bits in the -20 DC document grammar: 48 globals); Receipt TaxCosts maxOccurs 10. */
export function dcChargeLoopRes(doc: DcChargeLoopRes, style: Style): ComposedStream {
  const w = new Bits().code(0x80, 8).code(14, 6);
  w.code(0, 1);
  header(w, doc.Header);
  simple(w, [0, 1], (x) => x.code(0, 6)); // ResponseCode OK
  let at = -1;
  // {SE(EVSEStatus), SE(MeterInfo), SE(Receipt), SE(EVSEPresentCurrent)}: 3 bits
  if (doc.Receipt) {
    w.code(2, 3);
    simple(w, [0, 1], (x) => x.uint(doc.Receipt!.TimeAnchor));
    const taxes = doc.Receipt.TaxCosts;
    taxes.forEach((t, i) => {
      // first: {SE(EnergyCosts), SE(OccupancyCosts), SE(AdditionalServicesCosts), SE(OverstayCosts), SE(TaxCosts), EE} 3 bits
      w.code(i === 0 ? 4 : 0, i === 0 ? 3 : 2);
      simple(w, [0, 1], (x) => x.uint(t.TaxRuleID));
      w.code(0, 1); // SE(Amount)
      rational(w, t.Amount);
      w.code(0, 1); // EE of DetailedTaxType
    });
    at = loopEnd(w, taxes.length, 10, style);
    w.code(0, 1); // {SE(EVSEPresentCurrent)}
  } else w.code(3, 3);
  rational(w, doc.EVSEPresentCurrent);
  w.code(0, 1);
  rational(w, doc.EVSEPresentVoltage);
  const flags = [doc.EVSEPowerLimitAchieved, doc.EVSECurrentLimitAchieved, doc.EVSEVoltageLimitAchieved];
  for (const b of flags) simple(w, [0, 1], (x) => x.code(b ? 1 : 0, 1));
  // CLResControlMode substitution group, 3 bits: BPT_Dynamic 0, BPT_Scheduled 1, CLResControlMode 2, Dynamic 3, Scheduled 4
  w.code(4, 3);
  w.code(4, 3); // Scheduled_DC_CLResControlModeType: 4 optional elements, EE = 4 of 3 bits
  w.code(0, 1); // EE of DC_ChargeLoopRes
  return done(w, at);
}
