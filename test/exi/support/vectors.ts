// Test vectors: the public ones in ../shared/vectors (read when present, never copied) and our own
// recorded streams in test/exi/fixtures (so the tests also run without ../shared).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExiGrammar } from '../../../drivers/exi/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const sharedDir = resolve(repoRoot, '../shared');

export interface Vector {
  source: string;
  id: string;
  grammar: ExiGrammar;
  message: string;
  hex: string;
  /** Whole document: { message: fields }. */
  document: Record<string, unknown>;
  direction: 'decode' | 'encode' | 'both';
}

export interface SkippedVector {
  source: string;
  id: string;
  grammar: string;
  message: string;
  hex: string;
  document: Record<string, unknown>;
}

const GRAMMAR_NAMES: Record<string, ExiGrammar> = { AppProtocol: 'app', '-20 CommonMessages': 'cm', '-20 DC': 'dc', 'DIN MsgDef': 'din' };
/** Grammars whose document root is always V2G_Message: the vector's `message` names the Body element, `fields` the root's content. */
const V2G_MESSAGE_ROOTED = new Set<ExiGrammar>(['din', 'iso2']);

/** Public vectors of our public grammars plus the ones skipped (-20 AC: generated, not in ExiGrammar). */
export function sharedVectors(): { vectors: Vector[]; skipped: SkippedVector[] } | undefined {
  const dir = join(sharedDir, 'vectors');
  if (!existsSync(join(dir, 'iso15118-20.json'))) return undefined;
  const vectors: Vector[] = [];
  const skipped: SkippedVector[] = [];
  for (const file of ['iso15118-20.json', 'libcbv2g.json']) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const data = JSON.parse(readFileSync(path, 'utf8')) as {
      vectors: Array<{ id: string; grammar: string; direction: Vector['direction']; message: string; hex: string; fields: unknown }>;
    };
    for (const v of data.vectors) {
      const g = GRAMMAR_NAMES[v.grammar];
      if (!g)
        skipped.push({ source: file, id: v.id, grammar: v.grammar, message: v.message, hex: v.hex, document: { [v.message]: v.fields } });
      else {
        const document = { [V2G_MESSAGE_ROOTED.has(g) ? 'V2G_Message' : v.message]: v.fields };
        vectors.push({ source: file, id: v.id, grammar: g, message: v.message, hex: v.hex, document, direction: v.direction });
      }
    }
  }
  return { vectors, skipped };
}

export function recordedVectors(): Vector[] {
  const data = JSON.parse(readFileSync(join(here, '../fixtures/recorded.json'), 'utf8')) as {
    vectors: Array<{ id: string; grammar: ExiGrammar; hex: string; document: Record<string, unknown> }>;
  };
  return data.vectors.map((v) => ({
    source: 'recorded.json',
    id: v.id,
    grammar: v.grammar,
    message: Object.keys(v.document)[0],
    hex: v.hex,
    document: v.document,
    direction: 'both',
  }));
}

export const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
export const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
