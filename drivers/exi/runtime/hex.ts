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

/** Two uppercase hex digits per octet value (the JSON model writes hexBinary in uppercase). */
export const OCTET_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));
