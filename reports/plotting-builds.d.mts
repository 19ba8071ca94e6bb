// Types of plotting-builds.mjs (plain JavaScript, so that the plot thread needs no TypeScript loader).
import type { TopLevelSpec } from 'vega-lite';

export type PlottingLibraries = [typeof import('vega'), typeof import('vega-lite')];
export function loadPlottingBuilds(): PlottingLibraries;
export function renderSpecSvg(libraries: PlottingLibraries, spec: TopLevelSpec): Promise<string>;
