// Table-driven hexBinary text: one array lookup per digit or per octet instead of a regex and parseInt
// (a SessionID is in every V2G message, so this is on the hot path of every encode and decode).

/** Nibble value of a character code, -1 for anything that is not a hex digit. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;
  NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
}

export function hexNibble(charCode: number): number {
  return charCode < 128 ? NIBBLE[charCode] : -1;
}

const DIGIT = Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));

/** The first n octets of bytes as uppercase hex (the JSON model's hexBinary), four octets per fromCharCode call. */
export function hexString(bytes: Uint8Array, n: number): string {
  let s = '';
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const d = bytes[i + 3];
    s += String.fromCharCode(
      DIGIT[a >> 4],
      DIGIT[a & 15],
      DIGIT[b >> 4],
      DIGIT[b & 15],
      DIGIT[c >> 4],
      DIGIT[c & 15],
      DIGIT[d >> 4],
      DIGIT[d & 15],
    );
  }
  for (; i < n; i++) s += String.fromCharCode(DIGIT[bytes[i] >> 4], DIGIT[bytes[i] & 15]);
  return s;
}
