// The value half of the generated codecs: for each simple type, the expression that reads a value and
// the statement that checks and writes one, with widths, bounds and enumerations baked in as constants.
// Fixed-width values are written in one call together with the event codes around them (merged
// constant bit runs), and read the same way when the stream is well-formed.

import { bitsFor } from './grammar.ts';
import type { SimpleModel } from '../../drivers/exi/schema-model.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** A type maximum as the plain-number bound of the fast path: itself when safe, else 2^53 - 1. */
const safeBound = (max: string | undefined) => (max !== undefined && BigInt(max) < MAX_SAFE ? max : `${MAX_SAFE}`);
/** 7-bit groups an unsigned value up to max can take (64 when unbounded). */
const octetsFor = (max: string | undefined) => (max === undefined ? 64 : Math.ceil(BigInt(max).toString(2).length / 7) + 1);
const big = (v: string | undefined) => (v === undefined ? 'undefined' : `${v}n`);

export class ValueEmitter {
  /** Module-level constants (enumeration lists and maps, key sets), shared by every function that needs them. */
  readonly consts: string[] = [];
  private readonly constIndex = new Map<string, string>();
  /** String-table partitions are per qname: every (ns, name) that carries string values gets a number. */
  private readonly qnameIds = new Map<string, number>();

  constant(expr: string, prefix: string): string {
    let n = this.constIndex.get(expr);
    if (!n) {
      n = `${prefix}${this.constIndex.size}`;
      this.constIndex.set(expr, n);
      this.consts.push(`const ${n} = ${expr};`);
    }
    return n;
  }

  private qid(ns: string, name: string): number {
    const k = `{${ns}}${name}`;
    let i = this.qnameIds.get(k);
    if (i === undefined) {
      i = this.qnameIds.size;
      this.qnameIds.set(k, i);
    }
    return i;
  }

  /** Expression reading one value of s (st: the state label expression for errors). */
  decode(s: SimpleModel, q: { ns: string; name: string }, st: string): string {
    switch (s.kind) {
      case 'boolean':
        return `r.bits(1, ${st}) === 1`;
      case 'enum':
        return `r.enumerated(${this.constant(JSON.stringify(s.values), 'E')}, ${bitsFor(s.values.length)}, ${st})`;
      case 'integer': {
        if (s.codec === 'nbit') return s.bits === 0 ? `${s.min}` : `r.bits(${s.bits}, ${st}) + ${s.min}`;
        if (s.codec === 'unsigned') {
          if (!s.big) return `r.uintMax(${s.baseMax}, ${st})`;
          const max = s.baseMax !== undefined ? `${s.baseMax}n` : '2n ** 448n';
          return `r.ulong(${safeBound(s.baseMax)}, ${max}, ${octetsFor(s.baseMax)}, ${st})`;
        }
        if (!s.big) return `r.int(${s.baseMin}, ${s.baseMax}, ${st})`;
        return `r.intBig(${big(s.baseMin)}, ${big(s.baseMax)}, ${octetsFor(s.baseMax)}, ${st})`;
      }
      case 'string':
        return `r.string(${this.qid(q.ns, q.name)}, ${s.maxLength ?? 0x7fffffff}, ${st})`;
      case 'binary':
        return `r.${s.encoding === 'hex' ? 'hex' : 'base64'}(${s.maxLength ?? s.length ?? 0x7fffffff}, ${st})`;
    }
  }

  /** Statements reading a simple-typed element's content (CH, the value, EE) into `const v`. */
  decodeWrapped(s: SimpleModel, q: { ns: string; name: string }, st: string): string {
    if (s.kind === 'boolean') return `const v = r.wrappedBits(1, ${st}) === 1;`;
    if (s.kind === 'enum')
      return `const v = r.wrappedEnum(${this.constant(JSON.stringify(s.values), 'E')}, ${bitsFor(s.values.length)}, ${st});`;
    if (s.kind === 'integer' && s.codec === 'nbit') return `const v = r.wrappedBits(${s.bits}, ${st}) + ${s.min};`;
    if (s.kind === 'integer' && !s.big && s.codec === 'signed') return `const v = r.intElement(${s.baseMin}, ${s.baseMax}, ${st});`;
    if (s.kind === 'integer' && !s.big && s.codec === 'unsigned') return `const v = r.uintElement(${s.baseMax}, ${st});`;
    return `r.simpleStart(${st}); const v = ${this.decode(s, q, st)}; r.simpleEnd(${st});`;
  }

  /** A value of fixed width as { expression, bits }, so the event codes around it can go in the same write. */
  private fixed(s: SimpleModel, x: string, at: string): { expr: string; bits: number } | undefined {
    if (s.kind === 'boolean') return { expr: `(chkBool(${x}, ${at}) ? 1 : 0)`, bits: 1 };
    if (s.kind === 'enum') {
      const map = this.constant(`new Map<string, number>(${JSON.stringify(s.values.map((v, i) => [v, i]))})`, 'M');
      return { expr: `enumIndex(${map}, ${x}, ${at})`, bits: bitsFor(s.values.length) };
    }
    if (s.kind === 'integer' && s.codec === 'nbit') return { expr: `(chkInt(${x}, ${s.min}, ${s.max}, ${at}) - ${s.min})`, bits: s.bits };
    return undefined;
  }

  /**
   * Event code `code` (width bits), then the value x; for a simple-typed element (wrapped) also its CH
   * code before and its EE code after (one 0 bit each). Constant runs are merged into the value's write.
   */
  writeEvent(code: number, width: number, s: SimpleModel, x: string, at: string, wrapped: boolean): string {
    const fixed = this.fixed(s, x, at);
    const pad = wrapped ? 1 : 0;
    if (fixed && width + fixed.bits + 2 * pad <= 31) {
      const total = width + fixed.bits + 2 * pad;
      const head = code === 0 ? '' : `${code * 2 ** (fixed.bits + 2 * pad)} | `;
      return `w.bits(${head}${pad ? `(${fixed.expr} << 1)` : fixed.expr}, ${total});`;
    }
    if (!wrapped) return `w.bits(${code}, ${width}); ${this.encode(s, x, at)}`;
    if (s.kind === 'integer' && !s.big && s.codec !== 'nbit') {
      const method = s.codec === 'signed' ? 'intElement' : 'uintElement';
      return `w.${method}(${code * 2}, ${width + 1}, chkInt(${x}, ${s.min}, ${s.max}, ${at}));`;
    }
    return `w.bits(${code * 2}, ${width + 1}); ${this.encode(s, x, at)} w.bits(0, 1);`;
  }

  /** Statement checking x against s and writing it (at: the type.key label expression for errors). */
  encode(s: SimpleModel, x: string, at: string): string {
    switch (s.kind) {
      case 'boolean':
        return `w.bits(chkBool(${x}, ${at}) ? 1 : 0, 1);`;
      case 'enum': {
        const map = this.constant(`new Map<string, number>(${JSON.stringify(s.values.map((v, i) => [v, i]))})`, 'M');
        return `w.bits(enumIndex(${map}, ${x}, ${at}), ${bitsFor(s.values.length)});`;
      }
      case 'integer': {
        if (s.codec === 'nbit') return `w.bits(chkInt(${x}, ${s.min}, ${s.max}, ${at}) - ${s.min}, ${s.bits});`;
        if (!s.big) return `w.${s.codec === 'unsigned' ? 'uint' : 'int'}(chkInt(${x}, ${s.min}, ${s.max}, ${at}));`;
        if (s.codec === 'unsigned' && s.max !== undefined)
          return `writeUnsignedBig(w, ${x}, ${s.min}, ${safeBound(s.max)}, ${s.min}n, ${s.max}n, ${at});`;
        return `w.${s.codec === 'unsigned' ? 'ubig' : 'intBig'}(chkBig(${x}, ${big(s.min)}, ${big(s.max)}, ${at}));`;
      }
      case 'string':
        return `w.string(chkString(${x}, ${s.maxLength ?? 0x7fffffff}, ${at}));`;
      case 'binary': {
        const max = s.maxLength ?? s.length ?? 0x7fffffff;
        if (s.encoding === 'hex') return `w.hex(${x}, ${max}, ${s.length ?? 'undefined'}, ${at});`;
        return `w.octets(chkOctets(base64ToBytes(${x}, ${at}), ${max}, ${s.length ?? 'undefined'}, ${at}));`;
      }
    }
  }
}
