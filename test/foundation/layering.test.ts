// The suites judge a charger only by what a real bench observes: no file under suites/ may import from
// emulator/ (the emulated chargers, their power stage and fault catalogue), so the emulator bench runs
// exactly the code a lab bench runs. Static imports, `export … from` and dynamic import() all count.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from './helpers.ts';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Every relative import of a file that resolves into `folder` (relative to the repository root). */
export function importsInto(file: string, folder: string): string[] {
  const target = resolve(ROOT, folder) + '/';
  const out: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
    const spec = m[2];
    if (!spec.startsWith('.')) continue;
    if (resolve(dirname(file), spec).startsWith(target)) out.push(spec);
  }
  return out;
}

describe('layering: the suites never see the emulator', function () {
  it('no file under suites/ imports from emulator/', function () {
    const offending = sourceFiles(join(ROOT, 'suites')).flatMap((f) =>
      importsInto(f, 'emulator').map((spec) => `${relative(ROOT, f)} → ${spec}`),
    );
    expect(offending, 'suites must judge only wire, trace, lines and frames; move shared data (test ids) to the suites').to.deep.equal([]);
  });

  it('the scan finds an import when there is one (a type-only import counts too)', function () {
    const file = join(ROOT, 'test/foundation/layering.test.ts');
    expect(importsInto(file, 'test/foundation')).to.include('./helpers.ts');
    // A fixture line the scanner must see (kept in a string so this file does not import it).
    const probe = "import type { X } from '../../emulator/power/power-stage.ts';";
    expect([...probe.matchAll(SPECIFIER)].map((m) => m[2])).to.deep.equal(['../../emulator/power/power-stage.ts']);
  });
});
