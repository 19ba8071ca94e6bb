// IPv6 addresses between their text form and the 16 bytes SDP carries (RFC 4291 §2.2 in, RFC 5952 out).

import { isIPv6 } from 'node:net';

export function ipv6ToBytes(text: string): Uint8Array {
  const addr = text.split('%')[0];
  if (!isIPv6(addr)) throw new RangeError(`not an IPv6 address: ${text}`);
  const groupsOf = (part: string): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        // Embedded IPv4 (::ffff:192.0.2.1) takes two groups.
        const o = g.split('.').map(Number);
        out.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const hs = groupsOf(head);
  const ts = tail === undefined ? [] : groupsOf(tail);
  const groups = tail === undefined ? hs : [...hs, ...Array<number>(8 - hs.length - ts.length).fill(0), ...ts];
  const out = new Uint8Array(16);
  groups.forEach((v, i) => {
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** RFC 5952 text form (lower case, longest zero run compressed). */
export function bytesToIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
