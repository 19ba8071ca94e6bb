// Reads a set of XSD files (resolving xs:import by namespace) and resolves them into a SchemaModel.
// Only the XSD features the V2G schemas use are supported; anything else stops the generator with a
// message naming the construct, so a schema change cannot silently produce a wrong grammar.

import {
  compareQName,
  type AttributeUse,
  type ElementUse,
  type Particle,
  type SchemaModel,
  type SimpleModel,
  type TypeModel,
} from '../../drivers/exi/schema-model.ts';
import { INT_RANGES, STRINGISH, XS } from './xsd-builtins.ts';
import { attrs, key, kids, local, occurs, readSchemaDocs, resolveQName, tagOf, type SchemaDoc, type XNode } from './xsd-documents.ts';

export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

interface GlobalElement {
  doc: SchemaDoc;
  node: XNode;
  name: string;
  ns: string;
  abstract: boolean;
  substitutionGroup?: string; // key
}

export interface LoadOptions {
  /** Map from namespace to file for imports whose schemaLocation does not resolve (xmldsig). */
  namespaceFiles: Record<string, string>;
  /** Prefix for generated TypeScript names of this grammar's anonymous types. */
}

export function loadSchemaSet(mainFile: string, opts: LoadOptions): SchemaModel {
  const docs = readSchemaDocs(mainFile, opts.namespaceFiles);

  // Global declarations by key.
  const globalElements = new Map<string, GlobalElement>();
  const globalTypes = new Map<string, { doc: SchemaDoc; node: XNode; complex: boolean; name: string }>();
  for (const doc of docs) {
    for (const c of kids(doc.root)) {
      const t = local(tagOf(c));
      const a = attrs(c);
      if (t === 'element') {
        let sg: string | undefined;
        if (a.substitutionGroup) {
          const q = resolveQName(doc, a.substitutionGroup);
          sg = key(q.ns, q.name);
        }
        globalElements.set(key(doc.tns, a.name), {
          doc,
          node: c,
          name: a.name,
          ns: doc.tns,
          abstract: a.abstract === 'true',
          substitutionGroup: sg,
        });
      } else if (t === 'complexType' || t === 'simpleType') {
        globalTypes.set(key(doc.tns, a.name), { doc, node: c, complex: t === 'complexType', name: a.name });
      } else if (t === 'group' || t === 'attributeGroup' || t === 'attribute') {
        throw new Error(`${doc.file}: global xs:${t} not supported`);
      }
    }
  }

  const types: Record<string, TypeModel> = {};
  const declaredElements: ElementUse[] = [];
  const tsNames = new Set<string>();
  const uniqueTsName = (wanted: string) => {
    let n = wanted.replace(/[^A-Za-z0-9_]/g, '_');
    while (tsNames.has(n)) n += '_';
    tsNames.add(n);
    return n;
  };

  // ---- simple types -------------------------------------------------------------------------
  interface Facets {
    enumeration: string[];
    minInclusive?: bigint;
    maxInclusive?: bigint;
    length?: number;
    maxLength?: number;
  }
  const builtinSimple = (name: string, f: Facets): SimpleModel => {
    if (f.enumeration.length > 0) return { kind: 'enum', values: f.enumeration };
    if (name === 'boolean') return { kind: 'boolean' };
    if (name === 'hexBinary' || name === 'base64Binary')
      return { kind: 'binary', encoding: name === 'hexBinary' ? 'hex' : 'base64', maxLength: f.maxLength, length: f.length };
    if (STRINGISH.has(name)) return { kind: 'string', maxLength: f.maxLength ?? f.length, length: f.length };
    const range = INT_RANGES[name];
    if (range) {
      const [bmin, bmax] = range;
      const min = f.minInclusive !== undefined ? (bmin === undefined || f.minInclusive > bmin ? f.minInclusive : bmin) : bmin;
      const max = f.maxInclusive !== undefined ? (bmax === undefined || f.maxInclusive < bmax ? f.maxInclusive : bmax) : bmax;
      const safe = 2n ** 53n - 1n;
      const big = min === undefined || max === undefined || min < -safe || max > safe;
      const str = (x: bigint | undefined) => (x === undefined ? undefined : x.toString());
      const common = { min: str(min), max: str(max), baseMin: str(bmin), baseMax: str(bmax), big };
      if (min !== undefined && max !== undefined && max - min + 1n <= 4096n) {
        const m = Number(max - min + 1n);
        const bits = m <= 1 ? 0 : Math.ceil(Math.log2(m));
        return { kind: 'integer', codec: 'nbit', bits, ...common };
      }
      return { kind: 'integer', codec: min !== undefined && min >= 0n ? 'unsigned' : 'signed', bits: 0, ...common };
    }
    throw new Error(`XSD built-in type xs:${name} not supported`);
  };

  /** Resolve a simple type node (restriction chains) to a built-in name plus accumulated facets. */
  const simpleBase = (doc: SchemaDoc, node: XNode): { base: string; facets: Facets } => {
    const restr = kids(node).find((c) => local(tagOf(c)) === 'restriction');
    if (!restr) throw new Error(`${doc.file}: simpleType ${attrs(node).name ?? '(anonymous)'}: only xs:restriction supported`);
    const q = resolveQName(doc, attrs(restr).base);
    let base: { base: string; facets: Facets };
    if (q.ns === XS) base = { base: q.name, facets: { enumeration: [] } };
    else {
      const g = globalTypes.get(key(q.ns, q.name));
      if (!g || g.complex) throw new Error(`${doc.file}: unknown simple base ${attrs(restr).base}`);
      base = simpleBase(g.doc, g.node);
    }
    const facets: Facets = { ...base.facets, enumeration: [...base.facets.enumeration] };
    const ownEnum: string[] = [];
    for (const f of kids(restr)) {
      const ft = local(tagOf(f));
      const v = attrs(f).value;
      if (ft === 'enumeration') ownEnum.push(v);
      else if (ft === 'minInclusive') facets.minInclusive = BigInt(v);
      else if (ft === 'maxInclusive') facets.maxInclusive = BigInt(v);
      else if (ft === 'length') facets.length = Number(v);
      else if (ft === 'maxLength') facets.maxLength = Number(v);
      else if (ft === 'minLength')
        continue; // no effect on the EXI representation
      else if (ft === 'annotation') continue;
      else throw new Error(`${doc.file}: facet xs:${ft} not supported`);
    }
    if (ownEnum.length > 0) facets.enumeration = ownEnum;
    return { base: base.base, facets };
  };

  const simpleTypeKey = (doc: SchemaDoc, typeAttr: string | undefined, inline: XNode | undefined, anonName: string): string => {
    if (typeAttr) {
      const q = resolveQName(doc, typeAttr);
      const k = key(q.ns, q.name);
      if (types[k]) return k;
      if (q.ns === XS) {
        types[k] = { kind: 'simple', tsName: `xs_${q.name}`, simple: builtinSimple(q.name, { enumeration: [] }) };
        return k;
      }
      const g = globalTypes.get(k);
      if (!g) throw new Error(`${doc.file}: unknown type ${typeAttr}`);
      if (g.complex) return complexTypeKey(k);
      const sb = simpleBase(g.doc, g.node);
      types[k] = { kind: 'simple', tsName: uniqueTsName(q.name), simple: builtinSimple(sb.base, sb.facets) };
      return k;
    }
    if (!inline) throw new Error(`${doc.file}: ${anonName} has no type`);
    const k = `{${doc.tns}}#${anonName}`;
    const sb = simpleBase(doc, inline);
    types[k] = { kind: 'simple', tsName: uniqueTsName(`${anonName}Type`), simple: builtinSimple(sb.base, sb.facets) };
    return k;
  };

  // ---- substitution groups ------------------------------------------------------------------
  const directMembers = new Map<string, string[]>();
  for (const [k, g] of globalElements) {
    if (!g.substitutionGroup) continue;
    const list = directMembers.get(g.substitutionGroup) ?? [];
    list.push(k);
    directMembers.set(g.substitutionGroup, list);
  }
  const substitutionSet = (head: string): string[] => {
    const out = new Set<string>([head]);
    const walk = (h: string) => {
      for (const m of directMembers.get(h) ?? []) {
        if (out.has(m)) continue;
        out.add(m);
        walk(m);
      }
    };
    walk(head);
    return [...out];
  };

  const globalElementUse = (k: string): ElementUse => {
    const g = globalElements.get(k);
    if (!g) throw new Error(`unknown global element ${k}`);
    return { name: g.name, ns: g.ns, type: elementTypeKey(g.doc, g.node, g.name) };
  };

  const elementTypeKey = (doc: SchemaDoc, node: XNode, name: string): string => {
    const a = attrs(node);
    if (a.type) {
      const q = resolveQName(doc, a.type);
      const k = key(q.ns, q.name);
      if (q.ns !== XS && globalTypes.get(k)?.complex) return complexTypeKey(k);
      return simpleTypeKey(doc, a.type, undefined, name);
    }
    const inlineComplex = kids(node).find((c) => local(tagOf(c)) === 'complexType');
    if (inlineComplex) return anonymousComplexKey(doc, inlineComplex, name);
    const inlineSimple = kids(node).find((c) => local(tagOf(c)) === 'simpleType');
    if (inlineSimple) return simpleTypeKey(doc, undefined, inlineSimple, name);
    // No type: xs:anyType. Not used by the V2G schemas.
    throw new Error(`${doc.file}: element ${name} without a type is not supported`);
  };

  // ---- complex types ------------------------------------------------------------------------
  const inProgress = new Set<string>();
  const complexTypeKey = (k: string): string => {
    if (types[k] || inProgress.has(k)) return k;
    const g = globalTypes.get(k);
    if (!g || !g.complex) throw new Error(`unknown complex type ${k}`);
    inProgress.add(k);
    types[k] = buildComplex(g.doc, g.node, g.name);
    inProgress.delete(k);
    return k;
  };
  const anonymousComplexKey = (doc: SchemaDoc, node: XNode, elementName: string): string => {
    const k = `{${doc.tns}}#${elementName}`;
    if (!types[k]) types[k] = buildComplex(doc, node, elementName);
    return k;
  };

  const parseParticle = (doc: SchemaDoc, node: XNode): Particle => {
    const t = local(tagOf(node));
    const a = attrs(node);
    const min = occurs(a.minOccurs, 1);
    const max = occurs(a.maxOccurs, 1);
    if (t === 'element') {
      if (a.ref) {
        const q = resolveQName(doc, a.ref);
        const head = key(q.ns, q.name);
        // Abstract members stay in (ISO 15118-2's abstract BodyElement, EVSEChargeParameter, …): every deployed -2 codec
        // (EXIficient-generated: OpenV2G, libcbv2g) counts them in the event codes, and real cars' streams prove it.
        const alts = substitutionSet(head).map(globalElementUse).sort(compareQName);
        return { k: 'el', min, max, alts };
      }
      const ns = doc.elementQualified || a.form === 'qualified' ? doc.tns : '';
      const use = { name: a.name, ns, type: elementTypeKey(doc, node, a.name) };
      declaredElements.push(use);
      return { k: 'el', min, max, alts: [use] };
    }
    if (t === 'any') return { k: 'any', min, max };
    if (t === 'sequence' || t === 'choice') {
      const items = kids(node)
        .filter((c) => local(tagOf(c)) !== 'annotation')
        .map((c) => parseParticle(doc, c));
      return { k: t === 'sequence' ? 'seq' : 'choice', min, max, items };
    }
    throw new Error(`${doc.file}: particle xs:${t} not supported`);
  };

  const parseAttribute = (doc: SchemaDoc, node: XNode): AttributeUse => {
    const a = attrs(node);
    if (a.ref) throw new Error(`${doc.file}: attribute ref not supported`);
    const ns = doc.attributeQualified || a.form === 'qualified' ? doc.tns : '';
    const inline = kids(node).find((c) => local(tagOf(c)) === 'simpleType');
    return { name: a.name, ns, type: simpleTypeKey(doc, a.type, inline, `${a.name}Attr`), required: a.use === 'required' };
  };

  const buildComplex = (doc: SchemaDoc, node: XNode, name: string): TypeModel => {
    const a = attrs(node);
    let mixed = a.mixed === 'true';
    let attrsOut: AttributeUse[] = [];
    let content: Particle | null = null;
    let simpleContent: string | undefined;
    const tsName = uniqueTsName(name);
    for (const c of kids(node)) {
      const t = local(tagOf(c));
      if (t === 'annotation') continue;
      if (t === 'sequence' || t === 'choice') content = parseParticle(doc, c);
      else if (t === 'attribute') attrsOut.push(parseAttribute(doc, c));
      else if (t === 'anyAttribute') throw new Error(`${doc.file}: anyAttribute not supported`);
      else if (t === 'complexContent' || t === 'simpleContent') {
        if (attrs(c).mixed === 'true') mixed = true;
        const ext = kids(c).find((x) => local(tagOf(x)) === 'extension');
        if (!ext) throw new Error(`${doc.file}: ${name}: only extension is supported in xs:${t}`);
        const bq = resolveQName(doc, attrs(ext).base);
        if (t === 'simpleContent') {
          simpleContent = simpleTypeKey(doc, attrs(ext).base, undefined, name);
        } else {
          const bk = complexTypeKey(key(bq.ns, bq.name));
          const base = types[bk];
          if (!base || base.kind !== 'complex') throw new Error(`${doc.file}: ${name}: base ${attrs(ext).base} not resolved (cycle?)`);
          attrsOut = [...base.attrs];
          content = base.content;
          if (base.mixed) mixed = true;
        }
        for (const x of kids(ext)) {
          const xt = local(tagOf(x));
          if (xt === 'sequence' || xt === 'choice') {
            const p = parseParticle(doc, x);
            content = content ? { k: 'seq', min: 1, max: 1, items: [content, p] } : p;
          } else if (xt === 'attribute') attrsOut.push(parseAttribute(doc, x));
          else if (xt !== 'annotation') throw new Error(`${doc.file}: ${name}: xs:${xt} in extension not supported`);
        }
      } else throw new Error(`${doc.file}: ${name}: xs:${t} not supported`);
    }
    return { kind: 'complex', tsName, attrs: attrsOut, content, simpleContent, mixed };
  };

  // Document grammar: every global element, sorted by qname.
  const globals = [...globalElements.keys()].map(globalElementUse).sort(compareQName);
  // Fragment grammar: also local declarations, including those in types no element uses.
  for (const [k, g] of globalTypes) if (g.complex) complexTypeKey(k);
  const byQName = new Map<string, { name: string; ns: string; type: string | null }>();
  for (const e of [...globals, ...declaredElements]) {
    const k = key(e.ns, e.name);
    const prev = byQName.get(k);
    if (!prev) byQName.set(k, { name: e.name, ns: e.ns, type: e.type });
    else if (prev.type !== e.type) prev.type = null;
  }
  const fragmentElements = [...byQName.values()].sort(compareQName);
  return { globals, fragmentElements, types };
}
