// The XSD built-in simple types the V2G schemas use, as the generator needs them (XSD 1.0 Part 2 §3.3).

/** The namespace of the built-in types. */
export const XS = 'http://www.w3.org/2001/XMLSchema';

/** Built-in integer ranges (XSD Part 2). */
export const INT_RANGES: Record<string, [bigint | undefined, bigint | undefined]> = {
  integer: [undefined, undefined],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  short: [-32768n, 32767n],
  byte: [-128n, 127n],
  nonNegativeInteger: [0n, undefined],
  positiveInteger: [1n, undefined],
  unsignedLong: [0n, 2n ** 64n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  unsignedShort: [0n, 65535n],
  unsignedByte: [0n, 255n],
};

/** Built-in types the V2G schemas use that are strings to the generator. */
export const STRINGISH = new Set(['string', 'anyURI', 'ID', 'IDREF', 'NCName', 'token', 'normalizedString', 'language', 'Name']);
