// vega and vega-lite from the single-file builds both packages ship (build/vega.js, the UMD build;
// build/vega-lite.min.js) instead of their ESM module graphs: those are a few hundred files, each resolved and
// loaded through the tsx loader thread, ~0.7 s of CPU in every run that plots; the two files compile in ~0.2 s.
// Same versions, same code: the SVGs are byte-identical. Loading is synchronous, so it cannot stall a
// virtual-time run (a dynamic import waits on the loader thread, which no idle check sees). Plain JavaScript:
// the plot thread (plot-worker.mjs) loads it without the TypeScript loader (~35 MB of RSS a thread saves).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { compileFunction } from 'node:vm';

const require = createRequire(import.meta.url);

/** A package's folder: up from its entry point (its exports map hides package.json and the single-file builds). */
function packageDir(name) {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name) {
    if (dirname(dir) === dir) throw new Error(`no package folder for '${name}'`);
    dir = dirname(dir);
  }
  return dir;
}

/** Run a UMD build as CommonJS with the given dependencies, return its exports. */
function loadUmd(file, deps) {
  const module = { exports: {} };
  const run = compileFunction(readFileSync(file, 'utf8'), ['exports', 'module', 'require'], { filename: file });
  run(module.exports, module, (name) => {
    if (!(name in deps)) throw new Error(`${file} requires '${name}', which the plots do not provide`);
    return deps[name];
  });
  return module.exports;
}

/** vega and vega-lite, loaded now. */
export function loadPlottingBuilds() {
  const vega = loadUmd(join(packageDir('vega'), 'build', 'vega.js'), {});
  const vegaLite = loadUmd(join(packageDir('vega-lite'), 'build', 'vega-lite.min.js'), { vega });
  return [vega, vegaLite];
}

/** A Vega-Lite spec rendered to an SVG string (headless vega view, no browser, no canvas). */
export async function renderSpecSvg([vega, vegaLite], spec) {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
