// Windows older than memory are streamed from the timeline file from an indexed offset: the answers must
// be exactly what the whole file says, for seq windows, time windows and sample windows.

import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { readTimelineFile, Timeline, type TimelineEvent } from '../../drivers/core/timeline.ts';

describe('timeline windows read back from the file', function () {
  const clock = new VirtualClock();
  const file = join(mkdtempSync(join(tmpdir(), 'mcs-tl-window-')), 'timeline.jsonl');
  // Tiny memory (by count and by characters) and flushes, so most windows need the file and its index.
  const tl = new Timeline({ clock, file, memoryEvents: 300, memoryChars: 20_000, flushChars: 2000 });
  let all: TimelineEvent[] = [];

  before(async function () {
    for (let i = 0; i < 3000; i++) {
      await clock.advance(1);
      // Every tenth event is a sample block recorded before its last sample (t0 in the past, samples into the future).
      if (i % 10 === 0)
        tl.record('samples', 'battery', {
          t0: clock.now() - 4e6,
          dt: 1e6,
          channels: { currentA: Array.from({ length: 10 }, (_, k) => i + k) },
        });
      else tl.record('can', 'can0', { i, text: 'é' });
    }
    tl.flush();
    all = readTimelineFile(file);
  });

  it('seq windows equal the file', function () {
    for (const afterSeq of [0, 10, 1234, 2900, 3000])
      expect(tl.query({ afterSeq }), `afterSeq ${afterSeq}`).to.deep.equal(all.filter((e) => e.seq > afterSeq));
  });

  it('time windows equal the file', function () {
    for (const from of [0, 5e8, 1.2345e9, 2.95e9])
      expect(tl.query({ from, kind: 'can' }), `from ${from}`).to.deep.equal(all.filter((e) => e.t >= from && e.kind === 'can'));
  });

  it('sample windows hold every sample in the window, including blocks recorded before their samples', function () {
    const s = tl.samples('currentA', { from: 1e9, to: 1.05e9 });
    expect(s.t[0]).to.equal(1e9);
    expect(s.t.at(-1)).to.equal(1.05e9);
    expect(new Set(s.t).size).to.be.greaterThan(40);
  });
});
