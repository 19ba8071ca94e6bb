// Open-circuit voltage of one cell against state of charge, per chemistry. C/32 pseudo-OCV points from
// soorajsunil/Piecewise-Battery-OCV (reference/power-ramp-safety.md §4): NMC = Molicel P42A,
// LFP = APR18650M1B. Linear interpolation between points; SOC is clamped to [0, 1].

export type Chemistry = 'LFP' | 'NMC';

const TABLES: Record<Chemistry, { soc: number[]; v: number[] }> = {
  NMC: {
    soc: [0, 0.0151, 0.0452, 0.0955, 0.1508, 0.2915, 0.4573, 0.8342, 0.9497, 1.0],
    v: [2.506, 2.898, 3.146, 3.323, 3.422, 3.574, 3.702, 4.064, 4.101, 4.193],
  },
  LFP: {
    soc: [0, 0.0033, 0.0117, 0.0267, 0.0534, 0.0885, 0.2972, 0.9833, 0.995, 1.0],
    v: [2.01, 2.418, 2.741, 2.93, 3.087, 3.194, 3.277, 3.351, 3.418, 3.598],
  },
};

export function cellOcvV(chemistry: Chemistry, soc: number): number {
  const { soc: xs, v: ys } = TABLES[chemistry];
  const s = Math.min(1, Math.max(0, soc));
  let k = 1;
  while (k < xs.length - 1 && xs[k] < s) k++;
  const f = (s - xs[k - 1]) / (xs[k] - xs[k - 1]);
  return ys[k - 1] + f * (ys[k] - ys[k - 1]);
}

/** Inverse of cellOcvV (the tables are strictly increasing): the SOC whose OCV is v. */
export function cellSocForOcv(chemistry: Chemistry, v: number): number {
  const { soc: xs, v: ys } = TABLES[chemistry];
  if (v <= ys[0]) return 0;
  if (v >= ys[ys.length - 1]) return 1;
  let k = 1;
  while (ys[k] < v) k++;
  return xs[k - 1] + ((v - ys[k - 1]) / (ys[k] - ys[k - 1])) * (xs[k] - xs[k - 1]);
}

export const CHEMISTRIES = Object.keys(TABLES) as Chemistry[];
