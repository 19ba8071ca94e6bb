// The seam between the session engines and the EXI codec. Both the EVCC and the emulated SECC encode
// and decode through a MessageCodec, so the state machines can be tested in-process with a stand-in
// while the schema-informed EXI codec (drivers/exi) is built, and switch to it grammar by grammar as
// it lands (AppProtocol first, then CommonMessages and DC). A real charger only understands EXI.

import { InputError } from '../../core/errors.ts';
import type { ExiDeviation } from '../../exi/index.ts';
import type { Grammar, V2gDoc } from './messages.ts';

export interface MessageCodec {
  /** 'exi', 'json-stand-in', or a mix like 'exi(app) + json-stand-in(cm, dc)'. */
  readonly name: string;
  encode(grammar: Grammar, doc: V2gDoc): Uint8Array;
  /** onDeviation: the peer's encoder wrote something off EXI 1.0 that still decoded (see drivers/exi/deviations.ts). */
  decode(grammar: Grammar, bytes: Uint8Array, onDeviation?: (d: ExiDeviation) => void): V2gDoc;
  /** True when every grammar goes through the real EXI codec. */
  readonly isExi: boolean;
}

export class MessageDecodeError extends InputError {
  override name = 'MessageDecodeError';
}

/** UTF-8 JSON in place of EXI: only for in-process tests while a grammar of the EXI codec is missing. */
export const jsonStandInCodec: MessageCodec = {
  name: 'json-stand-in',
  isExi: false,
  encode(_grammar, doc) {
    return new TextEncoder().encode(JSON.stringify(doc));
  },
  decode(grammar, bytes) {
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (e) {
      throw new MessageDecodeError(`not a JSON stand-in document: ${(e as Error).message}`, `${grammar} payload`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc) || Object.keys(doc).length !== 1)
      throw new MessageDecodeError('a document has exactly one root element', `${grammar} payload`);
    return doc as V2gDoc;
  },
};

interface ExiModule {
  encodeExi(grammar: Grammar, doc: V2gDoc): Uint8Array;
  decodeExi(grammar: Grammar, bytes: Uint8Array, options?: { onDeviation?: (d: ExiDeviation) => void }): V2gDoc;
}

/** One small valid document per grammar: a probe that the EXI codec handles that grammar. */
const PROBES: Record<Grammar, V2gDoc> = {
  app: { supportedAppProtocolRes: { ResponseCode: 'OK_SuccessfulNegotiation', SchemaID: 1 } },
  cm: { SessionStopRes: { Header: { SessionID: '0102030405060708', TimeStamp: 1 }, ResponseCode: 'OK' } },
  dc: { DC_CableCheckReq: { Header: { SessionID: '0102030405060708', TimeStamp: 1 } } },
};

let cached: Promise<MessageCodec> | undefined;

/**
 * The codec the sessions use: the EXI codec for every grammar it can round-trip, the JSON stand-in for
 * the rest (named in `name`, so the timeline says which was used). `mode: 'json'` forces the stand-in.
 */
export function loadMessageCodec(mode: 'auto' | 'exi' | 'json' = 'auto'): Promise<MessageCodec> {
  if (mode === 'json') return Promise.resolve(jsonStandInCodec);
  if (mode === 'auto' && cached) return cached;
  const p = buildCodec(mode === 'exi');
  if (mode === 'auto') cached = p;
  return p;
}

async function buildCodec(requireExi: boolean): Promise<MessageCodec> {
  let exi: ExiModule | undefined;
  try {
    // Computed specifier: the codec module may not exist yet while it is being written.
    const spec = new URL('../../exi/index.ts', import.meta.url).href;
    const mod = (await import(spec)) as Partial<ExiModule>;
    if (typeof mod.encodeExi === 'function' && typeof mod.decodeExi === 'function') exi = mod as ExiModule;
  } catch {
    exi = undefined;
  }
  const works = new Set<Grammar>();
  if (exi) {
    for (const g of Object.keys(PROBES) as Grammar[]) {
      try {
        const bytes = exi.encodeExi(g, PROBES[g]);
        const back = exi.decodeExi(g, bytes);
        if (JSON.stringify(back) === JSON.stringify(PROBES[g])) works.add(g);
      } catch {
        /* grammar not there yet */
      }
    }
  }
  if (requireExi && works.size < 3) throw new Error(`the EXI codec handles only [${[...works].join(', ')}] of app, cm, dc`);
  if (works.size === 0) return jsonStandInCodec;
  const e = exi!;
  const missing = (['app', 'cm', 'dc'] as Grammar[]).filter((g) => !works.has(g));
  return {
    name: missing.length === 0 ? 'exi' : `exi(${[...works].join(', ')}) + json-stand-in(${missing.join(', ')})`,
    isExi: missing.length === 0,
    encode: (g, doc) => (works.has(g) ? e.encodeExi(g, doc) : jsonStandInCodec.encode(g, doc)),
    decode: (g, bytes, onDeviation) => (works.has(g) ? e.decodeExi(g, bytes, { onDeviation }) : jsonStandInCodec.decode(g, bytes)),
  };
}
