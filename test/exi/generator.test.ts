import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateExi } from '../../tools/generate-exi.ts';
import { repoRoot, sharedDir } from './support/vectors.ts';

describe('EXI generator (tools/generate-exi.ts)', function () {
  const schemas = join(sharedDir, 'schemas');
  const generatedDir = join(repoRoot, 'drivers/exi/generated');

  it('committed output is up to date with the schemas and the generator, and generation is deterministic', function () {
    if (!existsSync(join(schemas, 'iso15118-20/V2G_CI_DC.xsd'))) this.skip();
    const first = generateExi(schemas);
    const second = generateExi(schemas);
    expect([...first.keys()]).to.deep.equal([...second.keys()]);
    for (const [name, text] of first) expect(second.get(name), `${name} differs between two runs`).to.equal(text);
    const committed = readdirSync(generatedDir)
      .filter((f) => f.endsWith('.ts'))
      .sort();
    expect(committed).to.deep.equal([...first.keys()].sort());
    for (const [name, text] of first) {
      // Compare without printing 400 kB diffs on failure.
      const same = readFileSync(join(generatedDir, name), 'utf8') === text;
      expect(same, `drivers/exi/generated/${name} is stale: run npx tsx tools/generate-exi.ts`).to.equal(true);
    }
  });
});
