// The timeline's fast paths must write and find exactly what the plain ones do: a line without the JSON
// replacer only when the replacer would change nothing, and an in-memory window found by binary search
// holding the same events as a scan of everything in memory.
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline, type TimelineEvent } from '../../drivers/core/timeline.ts';

function fileLines(data: Record<string, unknown>[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'mcs-tl-fast-')), 'timeline.jsonl');
  const tl = new Timeline({ clock: new VirtualClock(), file });
  for (const d of data) tl.record('note', 'x', d);
  tl.close();
  return readFileSync(file, 'utf8').trim().split('\n');
}

describe('timeline fast paths', function () {
  it('writes bytes as hex, bigints as strings, errors as name + message, and everything else as JSON does', function () {
    const err = Object.assign(new RangeError('out of range'), { code: 7 });
    const data = [
      { samples: [1.5, -0.002, 3], nested: { a: [{ b: 'c' }], n: null } },
      { frame: new Uint8Array([0xde, 0xad]), count: 12n },
      { deep: { list: [1, { err }] } },
      { buffer: Buffer.from([1, 2]), when: new Date(Date.UTC(2026, 0, 1)) },
    ];
    const lines = fileLines(data).map((l) => JSON.parse(l) as TimelineEvent);
    expect(lines[0].data).to.deep.equal(data[0]);
    expect(lines[1].data).to.deep.equal({ frame: 'dead', count: '12' });
    expect(lines[2].data).to.deep.equal({ deep: { list: [1, { err: { name: 'RangeError', message: 'out of range' } }] } });
    expect(lines[3].data).to.deep.equal({ buffer: { type: 'Buffer', data: [1, 2] }, when: '2026-01-01T00:00:00.000Z' });
  });

  it('in-memory windows by seq and by time hold what a scan of every event holds', async function () {
    const clock = new VirtualClock();
    const tl = new Timeline({ clock });
    for (let i = 0; i < 300; i++) {
      // Sample blocks are recorded after their samples, and some events carry an older time stamp.
      if (i % 7 === 0) tl.record('samples', 'meter', { t0: clock.now() - 20e6, dt: 1e6, channels: { currentA: [1, 2, 3] } });
      else tl.record('note', i % 2 ? 'a' : 'b', { i }, i % 11 === 0 ? clock.now() - 30e6 : undefined);
      await clock.advance(5);
    }
    const all = tl.query();
    for (const afterSeq of [0, 1, 150, 299, 300, 400]) expect(tl.query({ afterSeq })).to.deep.equal(all.filter((e) => e.seq > afterSeq));
    for (const from of [0, 700e6, 1000e6, 1490e6, 2000e6]) {
      expect(tl.query({ from, source: 'a' })).to.deep.equal(all.filter((e) => e.t >= from && e.source === 'a'));
      const s = tl.samples('currentA', { from });
      const t = all.flatMap((e) => (e.kind === 'samples' ? [0, 1, 2].map((k) => (e.data.t0 as number) + k * 1e6) : []));
      expect(s.t).to.deep.equal(t.filter((x) => x >= from));
    }
  });

  it('one-kind windows hold what a scan holds, also after older events left memory', function () {
    const tl = new Timeline({ clock: new VirtualClock(), memoryEvents: 500 });
    const kinds = ['can', 'gbt', 'samples', 'can', 'note'];
    for (let i = 0; i < 5000; i++) tl.record(kinds[(i * 7) % 5], 'x', { i });
    const inMemory = tl.query();
    expect(inMemory).to.have.length(500);
    for (const kind of ['can', 'gbt', 'note', 'none'])
      for (const afterSeq of [0, 4400, 4600, 4999])
        expect(tl.query({ kind: [kind], afterSeq })).to.deep.equal(inMemory.filter((e) => e.kind === kind && e.seq > afterSeq));
  });
});
