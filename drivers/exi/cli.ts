// `mcs-hil exi decode|encode`: EXI hex ⇄ JSON for the app / cm / dc / din / iso2 grammars, optionally inside a
// V2GTP frame (the grammar then follows the payload type: 0x8001 app, 0x8002 cm, 0x8004 dc; DIN 70121 and
// ISO 15118-2 messages also travel as 0x8001, so there --grammar din|iso2 says which).

import { UsageError } from '../core/errors.ts';
import { decodeV2gtp, encodeV2gtp, payloadTypeLabel } from '../iso15118/v2gtp.ts';
import { decodeExiWithDeviations, encodeExi, EXI_GRAMMARS, type ExiDocument, type ExiGrammar } from './codec.ts';
import { MESSAGE_ROOTS as APP_ROOTS } from './generated/app-model.ts';
import { MESSAGE_ROOTS as CM_ROOTS } from './generated/cm-model.ts';
import { MESSAGE_ROOTS as DC_ROOTS } from './generated/dc-model.ts';

const PAYLOAD_TYPE: Record<ExiGrammar, number> = { app: 0x8001, cm: 0x8002, dc: 0x8004, din: 0x8001, iso2: 0x8001 };
const GRAMMAR_OF_PAYLOAD = new Map<number, ExiGrammar>([
  [0x8001, 'app'],
  [0x8002, 'cm'],
  [0x8004, 'dc'],
]);
/** Roots that tell the grammar on encode; DIN and -2 share the root V2G_Message, so they need --grammar. */
const ROOTS: Partial<Record<ExiGrammar, readonly string[]>> = { app: APP_ROOTS, cm: CM_ROOTS, dc: DC_ROOTS };

function checkGrammar(g: unknown): ExiGrammar | undefined {
  if (g === undefined) return undefined;
  if (typeof g === 'string' && (EXI_GRAMMARS as readonly string[]).includes(g)) return g as ExiGrammar;
  throw new UsageError(`--grammar must be one of ${EXI_GRAMMARS.join(', ')}, not ${JSON.stringify(g)}`, 'exi');
}

export function parseHex(hex: string): Uint8Array {
  const clean = hex.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new UsageError('expected hex octets (e.g. 8034…)', 'exi');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** The grammar a message root belongs to, for encode without --grammar. */
export function grammarOfRoot(root: string): ExiGrammar | undefined {
  return (Object.keys(ROOTS) as ExiGrammar[]).find((g) => ROOTS[g]!.includes(root));
}

/** The line printed (on stderr by default) for each deviation the decoder accepted. */
const printWarning = (line: string) => void process.stderr.write(`${line}\n`);

/**
 * JSON of the decoded document. A stream a real encoder wrote off the spec still decodes (exit 0); each
 * deviation goes to `warn` as 'peer EXI deviation: …' so stdout stays the document alone.
 */
export function exiDecodeCommand(opts: { grammar?: ExiGrammar; hex: string; v2gtp?: boolean; warn?: (line: string) => void }): string {
  let grammar = checkGrammar(opts.grammar);
  let bytes = parseHex(opts.hex);
  if (opts.v2gtp) {
    const frame = decodeV2gtp(bytes);
    const g = GRAMMAR_OF_PAYLOAD.get(frame.payloadType);
    if (!g)
      throw new UsageError(
        `V2GTP payload type ${payloadTypeLabel(frame.payloadType)} is not an EXI grammar of ours (0x8001, 0x8002, 0x8004)`,
        'exi decode',
      );
    if (grammar && PAYLOAD_TYPE[grammar] !== frame.payloadType)
      throw new UsageError(`--grammar ${grammar} contradicts the V2GTP payload type ${payloadTypeLabel(frame.payloadType)}`, 'exi decode');
    grammar ??= g;
    bytes = frame.payload;
  }
  if (!grammar) throw new UsageError(`--grammar ${EXI_GRAMMARS.join('|')} is required without --v2gtp`, 'exi decode');
  const { document, deviations } = decodeExiWithDeviations(grammar, bytes);
  for (const d of deviations) (opts.warn ?? printWarning)(`peer EXI deviation: ${d.message}`);
  return JSON.stringify(document, null, 2);
}

export function exiEncodeCommand(opts: { grammar?: ExiGrammar; json: string; v2gtp?: boolean }): string {
  let doc: ExiDocument;
  try {
    doc = JSON.parse(opts.json) as ExiDocument;
  } catch (e) {
    throw new UsageError(`input is not JSON: ${(e as Error).message}`, 'exi encode');
  }
  const root = doc && typeof doc === 'object' && !Array.isArray(doc) ? Object.keys(doc)[0] : undefined;
  const grammar = checkGrammar(opts.grammar) ?? (root !== undefined ? grammarOfRoot(root) : undefined);
  if (!grammar)
    throw new UsageError(`cannot tell the grammar of root ${JSON.stringify(root)}: pass --grammar ${EXI_GRAMMARS.join('|')}`, 'exi encode');
  const exi = encodeExi(grammar, doc);
  const out = opts.v2gtp ? encodeV2gtp(PAYLOAD_TYPE[grammar], exi) : exi;
  return Buffer.from(out).toString('hex');
}
