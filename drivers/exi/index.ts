// Public API of the EXI codec: schema-informed EXI for the supportedAppProtocol handshake, the
// ISO 15118-20 CommonMessages and DC schema sets, DIN 70121 and ISO 15118-2, with typed JSON messages.

export { encodeExi, decodeExi, decodeExiWithDeviations, encodeExiFragment, decodeExiFragment, EXI_GRAMMARS, EXI_HEADER } from './codec.ts';
export type { ExiGrammar, ExiDocument, ExiFragmentGrammar, ExiDecodeOptions, ExiDecoded } from './codec.ts';
export { describeDeviation } from './deviations.ts';
export type { ExiDeviation, ExiDeviationListener, LoopEndDeviation, TrailingOctetsDeviation } from './deviations.ts';
export { ExiDecodeError, ExiEncodeError } from './errors.ts';
export { rationalToNumber, numberToRational } from './rational.ts';
export type { RationalNumber } from './rational.ts';
export * from './generated/messages.ts';
