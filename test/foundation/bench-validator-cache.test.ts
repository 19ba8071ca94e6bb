// The bench schema's compiled validator kept as ajv standalone code (benches/bench-validator.ts): what it reads
// back from the cache judges every bench file as a freshly compiled ajv does, a broken cache entry is compiled
// again, and a file with problems still gets the fresh ajv's verbose errors.
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import '../../benches/kinds.ts';
import { loadStandalone, validateAgainst, validatorFor } from '../../benches/bench-validator.ts';
import { benchSchema } from '../../benches/schema.ts';
import { ROOT } from './helpers.ts';

const fresh = () => new Ajv({ allErrors: true, strict: false, verbose: true }).compile(benchSchema());

/** Every bench file the package ships and tests use, and each with a mistake a lab would make. */
function samples(): { name: string; data: unknown }[] {
  const files = [
    ...readdirSync(join(ROOT, 'benches')).map((f) => join('benches', f)),
    ...readdirSync(join(ROOT, 'test/fixtures/benches')).map((f) => join('test/fixtures/benches', f)),
  ].filter((f) => f.endsWith('.yaml'));
  const out: { name: string; data: unknown }[] = [];
  for (const f of files) {
    let data: Record<string, unknown>;
    try {
      data = parse(readFileSync(join(ROOT, f), 'utf8')) as Record<string, unknown>;
    } catch {
      continue; // a fixture that is broken YAML on purpose never reaches the schema
    }
    out.push({ name: f, data });
    out.push({ name: `${f} with a misspelt key`, data: { ...data, safty: { interlock: true } } });
    out.push({ name: `${f} with a resource of no kind`, data: { ...data, resources: { ...(data.resources as object), x: { port: 1 } } } });
  }
  return out;
}

describe('bench validator cache', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mcs-validator-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back from the cache a validator that judges every bench file as a fresh ajv does', function () {
    const schema = benchSchema();
    validatorFor(schema, dir); // compiles and stores
    const [file] = readdirSync(dir);
    expect(file).to.match(/^bench-validator-[0-9a-f]{24}\.cjs$/);
    const cached = loadStandalone(join(dir, file))!;
    expect(cached, 'the stored code loads').to.be.a('function');
    const validate = fresh();
    const all = samples();
    expect(all.filter((s) => validate(s.data)).length, 'some samples are valid').to.be.greaterThan(3);
    expect(all.filter((s) => !validate(s.data)).length, 'some samples are not').to.be.greaterThan(3);
    for (const s of all) expect(cached(s.data), s.name).to.equal(validate(s.data));
  });

  it('compiles again over a cache entry that does not load, and stores a working one', function () {
    const schema = benchSchema();
    validatorFor(schema, dir);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file), 'module.exports = validate10; function validate10(data, {'); // torn write
    expect(loadStandalone(join(dir, file))).to.equal(undefined);
    const again = validatorFor(schema, dir);
    expect(again({})).to.equal(false);
    expect(loadStandalone(join(dir, file)), 'the entry was written again').to.be.a('function');
  });

  it('gives a file with problems the verbose errors of a fresh ajv', function () {
    const validate = fresh();
    for (const s of samples()
      .filter((x) => !validate(x.data))
      .slice(0, 4)) {
      const errors = validateAgainst(benchSchema())(s.data);
      validate(s.data);
      expect(errors, s.name).to.deep.equal(validate.errors);
    }
  });
});
