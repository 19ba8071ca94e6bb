// The XSD files of a schema set as parsed XML documents: reading them (xs:import followed by namespace),
// the small helpers that walk the parsed nodes, and QName resolution by each document's prefixes.
// xsd-loader.ts turns these documents into a SchemaModel.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { UNBOUNDED } from '../../drivers/exi/schema-model.ts';

export type XNode = Record<string, unknown>;

export interface SchemaDoc {
  file: string;
  tns: string;
  elementQualified: boolean;
  attributeQualified: boolean;
  prefixes: Map<string, string>;
  root: XNode;
}

export const key = (ns: string, name: string) => `{${ns}}${name}`;

export function tagOf(n: XNode): string {
  for (const k of Object.keys(n)) if (k !== ':@') return k;
  throw new Error('empty XML node');
}
export const local = (tag: string) => (tag.includes(':') ? tag.slice(tag.indexOf(':') + 1) : tag);
export const attrs = (n: XNode) => (n[':@'] as Record<string, string> | undefined) ?? {};
export const kids = (n: XNode) => ((n[tagOf(n)] as XNode[]) ?? []).filter((c) => !('#text' in c) && !('#comment' in c));
export const occurs = (v: string | undefined, dflt: number) => (v === undefined ? dflt : v === 'unbounded' ? UNBOUNDED : Number(v));

export function readSchemaDocs(mainFile: string, namespaceFiles: Record<string, string>): SchemaDoc[] {
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', processEntities: false });
  const docs: SchemaDoc[] = [];
  const loadedNs = new Set<string>();

  const load = (file: string) => {
    // The xmldsig schema starts with a DOCTYPE internal subset the body never uses.
    const text = readFileSync(file, 'utf8').replace(/<!DOCTYPE[\s\S]*?\]>/, '');
    const parsed = parser.parse(text) as XNode[];
    const root = parsed.find((n) => local(tagOf(n)) === 'schema');
    if (!root) throw new Error(`${file}: no xs:schema root`);
    const a = attrs(root);
    const prefixes = new Map<string, string>();
    for (const [k, v] of Object.entries(a)) {
      if (k === 'xmlns') prefixes.set('', v);
      else if (k.startsWith('xmlns:')) prefixes.set(k.slice(6), v);
    }
    const doc: SchemaDoc = {
      file,
      tns: a.targetNamespace ?? '',
      elementQualified: a.elementFormDefault === 'qualified',
      attributeQualified: a.attributeFormDefault === 'qualified',
      prefixes,
      root,
    };
    if (loadedNs.has(doc.tns)) return;
    loadedNs.add(doc.tns);
    docs.push(doc);
    for (const c of kids(root)) {
      const t = local(tagOf(c));
      if (t === 'include' || t === 'redefine') throw new Error(`${file}: xs:${t} not supported`);
      if (t !== 'import') continue;
      const ia = attrs(c);
      if (loadedNs.has(ia.namespace)) continue;
      const target = namespaceFiles[ia.namespace] ?? join(dirname(file), ia.schemaLocation);
      load(target);
    }
  };
  load(mainFile);
  return docs;
}

/** A QName attribute value (prefix:name) as namespace and local name, by the prefixes of its document. */
export function resolveQName(doc: SchemaDoc, q: string): { ns: string; name: string } {
  const i = q.indexOf(':');
  const prefix = i < 0 ? '' : q.slice(0, i);
  const name = i < 0 ? q : q.slice(i + 1);
  const ns = doc.prefixes.get(prefix);
  if (ns === undefined) {
    if (prefix === '') return { ns: '', name };
    throw new Error(`${doc.file}: unknown prefix in ${q}`);
  }
  return { ns, name };
}
