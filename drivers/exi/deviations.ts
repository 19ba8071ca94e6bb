// Deviations from EXI 1.0 that the decoder accepts from real encoders and reports (never produces).
//
// 'trailing-octets': whole octets after the end of the document (after ED and its padding to the octet), e.g.
// a Tesla Model Y's DIN 70121 ContractAuthenticationReq carries one extra 0x00 that its V2GTP length counts
// (../shared/captures/tesla-model-y-din.pcap). The document decodes; re-encoding it gives the stream without them.
//
// 'loop-end-after-maxOccurs': code generators of the libcbv2g / OpenV2G family write a bounded repetition
// (maxOccurs = n ≥ 3) as a LOOP state whose productions stay the same for every count, so after the
// n-th item they still code "end" next to the no-longer-allowed "one more item". EXI 1.0 §8.5.4.1.3
// (the bounded particle unrolled into n states) leaves only the productions after the repetition in
// that state, which gives the end a narrower code (typically 1 bit '0' where the C encoder writes the
// 2-bit code 1, '01'). The decoder first decodes strictly; only a stream that fails strictly is decoded
// again with the C encoder's LOOP grammar at those states, and each place it was needed is reported.

/** One place where the peer's encoder used a different event code than EXI 1.0 allows. */
export interface LoopEndDeviation {
  kind: 'loop-end-after-maxOccurs';
  /** Path of the element whose content carries the code, in the decoded JSON ('ServiceDiscoveryRes.EnergyTransferServiceList'). */
  element: string;
  /** The repeated child that had reached maxOccurs ('Service'). */
  repeated: string;
  maxOccurs: number;
  /** Grammar state of our decoder ('ServiceListType#1'). */
  state: string;
  /** Bit offset (header byte included) where the event code starts. */
  bitPosition: number;
  /** What EXI 1.0 allows there for the event the peer meant. */
  expected: { bits: number; code: number };
  /** What the stream carries. */
  found: { bits: number; code: number };
  /** One line for a log or a timeline warning. */
  message: string;
}

/** Octets after the end of the document: the stream is longer than the document it codes. */
export interface TrailingOctetsDeviation {
  kind: 'trailing-octets';
  /** The document's root element. */
  element: string;
  /** Bit offset (header byte included) where the document ended, before its padding to the octet. */
  bitPosition: number;
  /** The extra octets, lowercase hex. */
  octetsHex: string;
  message: string;
}

export type ExiDeviation = LoopEndDeviation | TrailingOctetsDeviation;

export type ExiDeviationListener = (d: ExiDeviation) => void;

/** A deviation as the reader records it, before the owner object is turned into a document path. */
export interface PendingDeviation extends Omit<LoopEndDeviation, 'element' | 'message'> {
  owner: object;
}

const bitString = (code: number, bits: number) => code.toString(2).padStart(bits, '0');

/** The readable line, e.g. for a 'peer EXI deviation: …' warning. */
export function describeDeviation(d: Omit<LoopEndDeviation, 'message'> | Omit<TrailingOctetsDeviation, 'message'>): string {
  if (d.kind === 'trailing-octets')
    return (
      `${d.element}: ${d.octetsHex.length / 2} octet(s) 0x${d.octetsHex} after the end of the document ` +
      `(the stream ends at bit ${d.bitPosition}; a strict encoder stops at the next octet boundary)`
    );
  return (
    `${d.element}: after ${d.maxOccurs} ${d.repeated} (maxOccurs) the peer coded the next event in ${d.found.bits} bit(s) ` +
    `'${bitString(d.found.code, d.found.bits)}' where EXI 1.0 allows '${bitString(d.expected.code, d.expected.bits)}' ` +
    `(libcbv2g-style LOOP grammar; at bit ${d.bitPosition}, state ${d.state})`
  );
}

/** Dotted path of `target` inside `doc` (arrays as [i]); the root element name when not found. */
export function pathOf(doc: Record<string, unknown>, target: object): string {
  // Keys are collected on the way back up, so only the one path found is ever built.
  const steps: Array<string | number> = [];
  const walk = (node: unknown): boolean => {
    if (node === target) return true;
    if (node === null || typeof node !== 'object') return false;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) if (walk(node[i])) return (steps.push(i), true);
      return false;
    }
    for (const k in node) if (walk((node as Record<string, unknown>)[k])) return (steps.push(k), true);
    return false;
  };
  if (!walk(doc)) return Object.keys(doc)[0] ?? '';
  let path = '';
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    path += typeof s === 'number' ? `[${s}]` : path ? `.${s}` : s;
  }
  return path;
}

/** The trailing-octets deviation of a stream whose document ended at `endBit`, or undefined when nothing follows it. */
export function trailingOctets(doc: Record<string, unknown>, bytes: Uint8Array, endBit: number): TrailingOctetsDeviation | undefined {
  const used = (endBit + 7) >> 3;
  if (bytes.length <= used) return undefined;
  const d = {
    kind: 'trailing-octets' as const,
    element: Object.keys(doc)[0] ?? '',
    bitPosition: endBit,
    octetsHex: Buffer.from(bytes.subarray(used)).toString('hex'),
  };
  return { ...d, message: describeDeviation(d) };
}

export function resolveDeviations(doc: Record<string, unknown>, pending: readonly PendingDeviation[]): ExiDeviation[] {
  return pending.map(({ owner, ...rest }) => {
    const d = { ...rest, element: pathOf(doc, owner) };
    return { ...d, message: describeDeviation(d) };
  });
}
