// ISO 15118-20 RationalNumberType {Exponent: xs:byte, Value: xs:short}: value = Value · 10^Exponent.

import { InputError } from '../core/errors.ts';

export interface RationalNumber {
  Value: number;
  Exponent: number;
}

const SHORT_MIN = -32768;
const SHORT_MAX = 32767;

export function rationalToNumber(r: { Value: number; Exponent: number }): number {
  // Dividing by an exact power of ten keeps 0.1-style values exact as doubles (4000e-1 === 400).
  return r.Exponent >= 0 ? r.Value * 10 ** r.Exponent : r.Value / 10 ** -r.Exponent;
}

/**
 * The rational with the smallest exponent in [minExponent, maxExponent] whose Value fits xs:short and
 * represents x exactly; if none is exact, the one that loses least (largest Value that fits).
 * 3.75 MW = {Value: 3750, Exponent: 3}; 400.5 V = {Value: 4005, Exponent: -1}.
 */
export function numberToRational(x: number, opts: { minExponent?: number; maxExponent?: number } = {}): RationalNumber {
  const minE = opts.minExponent ?? -3;
  const maxE = opts.maxExponent ?? 10;
  if (!Number.isFinite(x)) throw new InputError(`cannot express ${x} as a RationalNumber`, 'numberToRational');
  if (!Number.isInteger(minE) || !Number.isInteger(maxE) || minE > maxE || minE < -128 || maxE > 127)
    throw new InputError(`bad exponent range ${minE}..${maxE}`, 'numberToRational');
  let best: RationalNumber | undefined;
  let bestErr = Infinity;
  for (let e = minE; e <= maxE; e++) {
    const scaled = e >= 0 ? x / 10 ** e : x * 10 ** -e;
    const v = Math.round(scaled);
    if (v < SHORT_MIN || v > SHORT_MAX) continue;
    const back = rationalToNumber({ Value: v, Exponent: e });
    const err = Math.abs(back - x);
    // Exact (to double precision): take the smallest exponent, i.e. the first found.
    if (err <= Math.abs(x) * 1e-12 || err === 0) return { Value: v === 0 ? 0 : v, Exponent: v === 0 ? 0 : e };
    if (err < bestErr) {
      bestErr = err;
      best = { Value: v, Exponent: e };
    }
  }
  if (!best) throw new InputError(`${x} does not fit a RationalNumber with exponent ${minE}..${maxE}`, 'numberToRational');
  return best;
}
