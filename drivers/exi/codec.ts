// encodeExi / decodeExi: the EXI header (§5, simple header 0x80: distinguishing bits 10, no options,
// version 1) around the generated document grammar of the chosen schema set. Encoding is strict;
// decoding is strict first and, for a stream that fails strictly, accepts the known deviations of real
// encoders (deviations.ts) and reports them, as it reports octets left after the end of the document.

import { BitReader } from './runtime/bit-reader.ts';
import { BitWriter } from './runtime/bit-writer.ts';
import { ExiDecodeError, ExiEncodeError } from './errors.ts';
import { resolveDeviations, trailingOctets, type ExiDeviation, type ExiDeviationListener } from './deviations.ts';
import * as app from './generated/app-codec.ts';
import * as cm from './generated/cm-codec.ts';
import * as dc from './generated/dc-codec.ts';
import * as din from './generated/din-codec.ts';
import * as iso2 from './generated/iso2-codec.ts';
import * as xmldsig from './generated/xmldsig-codec.ts';

/** app: supportedAppProtocol; cm / dc: ISO 15118-20; din: DIN 70121; iso2: ISO 15118-2 (both rooted at V2G_Message). */
export type ExiGrammar = 'app' | 'cm' | 'dc' | 'din' | 'iso2';
/** { RootElementName: content } in the JSON conventions of the vectors (see drivers/exi/README.md). */
export type ExiDocument = Record<string, unknown>;

/**
 * Fragment grammars (EXI §8.5.2) for signatures: 'cm' / 'dc' cover every element of that schema set
 * (e.g. PnC_AReqAuthorizationMode, SignedInstallationData); 'xmldsig' is the xmldsig schema alone, the
 * grammar SignedInfo is encoded with before it is signed.
 */
export type ExiFragmentGrammar = 'cm' | 'dc' | 'xmldsig';

interface GeneratedGrammar {
  ROOT_ELEMENTS: readonly string[];
  decodeDocument(r: BitReader): Record<string, unknown>;
  encodeDocument(w: BitWriter, root: string, value: unknown): void;
  decodeFragment(r: BitReader): Record<string, unknown>;
  encodeFragment(w: BitWriter, root: string, value: unknown): void;
}

const GRAMMARS: Record<ExiGrammar, GeneratedGrammar> = { app, cm, dc, din, iso2 };
const FRAGMENT_GRAMMARS: Record<ExiFragmentGrammar, GeneratedGrammar> = { cm, dc, xmldsig };
export const EXI_GRAMMARS: readonly ExiGrammar[] = ['app', 'cm', 'dc', 'din', 'iso2'];

/** The one header V2G codecs write: '10' + no options + version 1 (0000) + padding to the octet. */
export const EXI_HEADER = 0x80;

function grammarOf(g: unknown): GeneratedGrammar {
  const x = typeof g === 'string' ? GRAMMARS[g as ExiGrammar] : undefined;
  if (!x) throw new ExiEncodeError(`unknown EXI grammar ${JSON.stringify(g)} (${EXI_GRAMMARS.join(', ')})`, 'grammar');
  return x;
}

const writer = new BitWriter();

export function encodeExi(grammar: ExiGrammar, doc: ExiDocument): Uint8Array {
  return encodeWith(grammarOf(grammar), doc, false);
}

/** One element as an EXI fragment (header 0x80, SE, content, ED): the bytes a signature digests. */
export function encodeExiFragment(grammar: ExiFragmentGrammar, doc: ExiDocument): Uint8Array {
  const g = typeof grammar === 'string' ? FRAGMENT_GRAMMARS[grammar] : undefined;
  if (!g) throw new ExiEncodeError(`unknown EXI fragment grammar ${JSON.stringify(grammar)} (cm, dc or xmldsig)`, 'grammar');
  return encodeWith(g, doc, true);
}

export function decodeExiFragment(grammar: ExiFragmentGrammar, bytes: Uint8Array, options?: ExiDecodeOptions): ExiDocument {
  const g = FRAGMENT_GRAMMARS[grammar];
  if (!g) throw new ExiDecodeError(`unknown EXI fragment grammar ${JSON.stringify(grammar)}`, 0, 'header');
  return report(decodeWith(g, bytes, true), options);
}

function encodeWith(g: GeneratedGrammar, doc: ExiDocument, fragment: boolean): Uint8Array {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ExiEncodeError('expected { RootElement: content }', 'document');
  // The one key, without allocating a key list per message.
  let root: string | undefined;
  let count = 0;
  for (const k in doc) if (Object.hasOwn(doc, k) && count++ === 0) root = k;
  if (count !== 1) throw new ExiEncodeError(`expected exactly one root element, got ${count}`, 'document');
  writer.reset();
  writer.bits(EXI_HEADER, 8);
  if (fragment) g.encodeFragment(writer, root!, doc[root!]);
  else g.encodeDocument(writer, root!, doc[root!]);
  return writer.finish();
}

export interface ExiDecodeOptions {
  /** Called once per deviation from EXI 1.0 the decoder accepted (see deviations.ts); the document is still returned. */
  onDeviation?: ExiDeviationListener;
}

export interface ExiDecoded {
  document: ExiDocument;
  /** Empty for a conformant stream. */
  deviations: ExiDeviation[];
}

/** Decodes liberally: a stream a known real encoder writes off the spec decodes, its deviations go to onDeviation. */
export function decodeExi(grammar: ExiGrammar, bytes: Uint8Array, options?: ExiDecodeOptions): ExiDocument {
  return report(decodeWith(grammarToDecode(grammar), bytes, false), options);
}

/** decodeExi with the deviations returned next to the document. */
export function decodeExiWithDeviations(grammar: ExiGrammar, bytes: Uint8Array): ExiDecoded {
  const document = decodeWith(grammarToDecode(grammar), bytes, false);
  return { document, deviations: lastDeviations === NONE ? [] : lastDeviations };
}

function grammarToDecode(grammar: ExiGrammar): GeneratedGrammar {
  const g = GRAMMARS[grammar];
  if (!g) throw new ExiDecodeError(`unknown EXI grammar ${JSON.stringify(grammar)}`, 0, 'header');
  return g;
}

const NONE: ExiDeviation[] = [];
/** Deviations of the last decodeWith (a module slot rather than a wrapper object: the strict path allocates nothing more). */
let lastDeviations: ExiDeviation[] = NONE;

function report(doc: ExiDocument, options: ExiDecodeOptions | undefined): ExiDocument {
  if (lastDeviations.length && options?.onDeviation) for (const d of lastDeviations) options.onDeviation(d);
  return doc;
}

function decodeWith(g: GeneratedGrammar, bytes: Uint8Array, fragment: boolean): ExiDocument {
  lastDeviations = NONE;
  if (!(bytes instanceof Uint8Array)) throw new ExiDecodeError('input is not a byte array', 0, 'header');
  const r = new BitReader(bytes);
  readHeader(r, bytes);
  let doc: ExiDocument;
  try {
    doc = run(g, r, fragment);
  } catch (strictError) {
    // Only a stream that went through a repetition at maxOccurs can be a libcbv2g-style LOOP stream.
    if (!r.reachedMaxOccurs) throw strictError;
    const lenient = new BitReader(bytes, 8);
    lenient.lenient = true;
    try {
      doc = run(g, lenient, fragment);
    } catch {
      throw strictError; // not that deviation either: the strict error says where the stream first went wrong
    }
    if (lenient.deviations.length === 0) throw strictError;
    lastDeviations = resolveDeviations(doc, lenient.deviations);
    return withTrailing(doc, bytes, lenient.pos);
  }
  return withTrailing(doc, bytes, r.pos);
}

/** Adds the trailing-octets deviation when the stream goes on after the document's last octet. */
function withTrailing(doc: ExiDocument, bytes: Uint8Array, endBit: number): ExiDocument {
  if (bytes.length * 8 < endBit + 8) return doc; // the common case, checked without a call
  const t = trailingOctets(doc, bytes, endBit);
  if (t) lastDeviations = [...lastDeviations, t];
  return doc;
}

function readHeader(r: BitReader, bytes: Uint8Array): void {
  const h = r.bits(8, 'header');
  if (h !== EXI_HEADER) {
    const cookie = bytes.length >= 4 && bytes[0] === 0x24 && bytes[1] === 0x45;
    const what = cookie
      ? 'an EXI cookie ($EXI)'
      : (h & 0xc0) !== 0x80
        ? 'no EXI distinguishing bits (10)'
        : h & 0x20
          ? 'an options document'
          : 'an unsupported format version';
    throw new ExiDecodeError(`EXI header 0x${h.toString(16).padStart(2, '0')} has ${what}; V2G uses 0x80`, 0, 'header');
  }
}

function run(g: GeneratedGrammar, r: BitReader, fragment: boolean): ExiDocument {
  try {
    return fragment ? g.decodeFragment(r) : g.decodeDocument(r);
  } catch (e) {
    if (e instanceof ExiDecodeError) throw e;
    // Defensive: the generated code only throws ExiDecodeError; anything else is a codec bug, still typed.
    throw new ExiDecodeError(`internal decoder error: ${(e as Error)?.message ?? String(e)}`, r.pos, 'unknown');
  }
}
