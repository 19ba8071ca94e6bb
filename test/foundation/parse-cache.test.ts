// Data files parsed once per text across runs (drivers/core/parse-cache.ts): what comes back from the cache
// equals a fresh parse for every limit and vehicle profile, keeps what JSON would lose, follows an edit of the
// text, and an unreadable entry is parsed again.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cachedParse, parseYamlCached } from '../../drivers/core/parse-cache.ts';
import { ROOT } from './helpers.ts';

describe('parse cache', function () {
  let dir: string;
  let before: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcs-parse-cache-'));
    before = process.env.MCS_HIL_CACHE_DIR;
    process.env.MCS_HIL_CACHE_DIR = dir;
  });
  afterEach(() => {
    if (before === undefined) delete process.env.MCS_HIL_CACHE_DIR;
    else process.env.MCS_HIL_CACHE_DIR = before;
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives back what a fresh parse gives, for every limit and vehicle profile', function () {
    const files = ['fixtures/limits', 'fixtures/vehicles'].flatMap((d) =>
      readdirSync(join(ROOT, d))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(ROOT, d, f)),
    );
    expect(files.length).to.be.greaterThan(5);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(parseYamlCached(text), `${f}, parsed`).to.deep.equal(parse(text));
      expect(parseYamlCached(text), `${f}, from the cache`).to.deep.equal(parse(text));
    }
    expect(readdirSync(dir)).to.have.length(files.length);
  });

  it('keeps what JSON would lose, and hands out a copy each time', function () {
    const text = 'hi: .inf\nlo: -.inf\nnan: .nan\nnone: ~\nlist: [1, 2]\n';
    parseYamlCached(text);
    const a = parseYamlCached(text) as { hi: number; lo: number; nan: number; none: null; list: number[] };
    expect(a.hi).to.equal(Infinity);
    expect(a.lo).to.equal(-Infinity);
    expect(a.nan).to.be.NaN;
    expect(a.none).to.equal(null);
    a.list.push(3);
    expect((parseYamlCached(text) as { list: number[] }).list).to.deep.equal([1, 2]);
  });

  it('parses an edited text afresh, and again over an entry it cannot read', function () {
    let parses = 0;
    const counting = (t: string) => (parses++, t.toUpperCase());
    expect(cachedParse('upper@1', 'abc', counting)).to.equal('ABC');
    expect(cachedParse('upper@1', 'abc', counting)).to.equal('ABC');
    expect(parses).to.equal(1);
    expect(cachedParse('upper@1', 'abd', counting)).to.equal('ABD');
    expect(cachedParse('upper@2', 'abc', counting), 'another parser version').to.equal('ABC');
    expect(parses).to.equal(3);
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), 'not a v8 serialisation');
    expect(cachedParse('upper@1', 'abc', counting)).to.equal('ABC');
    expect(parses).to.equal(4);
  });
});
