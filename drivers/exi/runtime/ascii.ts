// Strings of 7-bit characters, the V2G case (identifiers, parameter names, EVSE IDs): one EXI group per
// character, so a run of octets is the text. Building it eight characters per String.fromCharCode call
// is about three times faster than appending one-character strings.

const ONE = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

/** The first n octets of codes (each < 128) as a string. */
export function asciiString(codes: Uint8Array, n: number): string {
  let s = '';
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    s += String.fromCharCode(codes[i], codes[i + 1], codes[i + 2], codes[i + 3], codes[i + 4], codes[i + 5], codes[i + 6], codes[i + 7]);
  }
  for (; i + 2 <= n; i += 2) s += String.fromCharCode(codes[i], codes[i + 1]);
  if (i < n) s += ONE[codes[i]];
  return s;
}
