// Every judged number's source must be one a user of the repository can follow (issue 17): a URL, a public
// repository path, a named standard, or a file in this repository. Notes kept outside it (reference/, ../shared)
// are refused by the loader for every limit, corroborated or not.

import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS_DIR, LimitError, Limits } from '../../drivers/core/limits.ts';

const REPO_ROOT = join(LIMITS_DIR, '..', '..');
const profiles = readdirSync(LIMITS_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

/** Markdown files a source names by bare file name (no path before it): those must be in the repository. */
function bareMarkdownNames(text: string): string[] {
  return [...text.matchAll(/(?<![\w/.-])([\w-]+\.md)\b/g)].map((m) => m[1]!);
}

describe('limit sources point inside the repository or to the public record', () => {
  it('finds the limit profiles', () => {
    expect(profiles).to.include.members(['bench', 'gbt27930', 'iec61851-23', 'iso15118-20']);
  });

  for (const profile of profiles) {
    it(`${profile}: loads, and names no note kept outside the repository`, () => {
      const l = Limits.load(profile);
      const text = readFileSync(join(LIMITS_DIR, `${profile}.yaml`), 'utf8');
      expect(text, 'comments and sources').to.not.match(/\.\.\/shared|(^|[\s('"])reference\//m);
      for (const [name, x] of Object.entries(l.profile.limits)) {
        for (const md of bareMarkdownNames([x.source, ...(x.sources ?? [])].join(' ')))
          expect(existsSync(join(REPO_ROOT, md)), `${name}: '${md}' is not a file of the repository`).to.equal(true);
      }
    });
  }

  it('the loader refuses reference/ or ../shared in source or sources of any limit, corroborated or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'limit-sources-'));
    const cases = {
      plain: '  x: { hi: 1, unit: A, clause: c, source: "reference/power-ramp-safety.md §1.4", verified: false }\n',
      shared: '  x: { hi: 1, unit: dB, clause: c, source: "harness choice; captures in ../shared/captures", verified: false }\n',
      list:
        '  x: { hi: 1, unit: A, clause: c, source: s, verified: false, requirement: none, table: none,' +
        ' sources: ["../shared/x"], corroborated: our-choice }\n',
    };
    for (const [name, limit] of Object.entries(cases)) {
      writeFileSync(join(dir, `${name}.yaml`), `title: t\nlimits:\n${limit}`);
      expect(() => Limits.load(name, dir), name).to.throw(LimitError, /outside the repository/);
    }
    writeFileSync(
      join(dir, 'ok.yaml'),
      'title: t\nlimits:\n  x: { hi: 1, unit: A, clause: c, source: "DESIGN.md (our rule)", verified: false }\n',
    );
    expect(Limits.load('ok', dir).num('x')).to.equal(1);
  });
});
