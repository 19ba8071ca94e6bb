// vega and vega-lite for the plots, loaded once per thread from the packages' single-file builds
// (plotting-builds.mjs says why, and why it is plain JavaScript).

import { loadPlottingBuilds, type PlottingLibraries } from './plotting-builds.mjs';

let libraries: PlottingLibraries | undefined;

/** vega + vega-lite, loaded once (on the first plot, or before a virtual-time run starts). */
export function plottingLibraries(): PlottingLibraries {
  return (libraries ??= loadPlottingBuilds());
}
