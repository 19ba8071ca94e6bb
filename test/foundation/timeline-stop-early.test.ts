// Timeline.forEach stops when its callback returns false, on each of its paths (the file, memory by scan,
// memory by one kind's index): an attacher looking for its first event must not read the rest of the test.

import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline, type TimelineQuery } from '../../drivers/core/timeline.ts';

describe('timeline forEach stops early', function () {
  const clock = new VirtualClock();
  const file = join(mkdtempSync(join(tmpdir(), 'mcs-tl-stop-')), 'timeline.jsonl');
  const tl = new Timeline({ clock, file, memoryEvents: 100, flushChars: 2000 });
  before(function () {
    for (let i = 0; i < 1000; i++) tl.record(i % 2 ? 'can' : 'v2g', 'src', { i });
  });

  const firstThree = (q: TimelineQuery) => {
    const seen: number[] = [];
    tl.forEach(q, (e) => {
      seen.push(e.seq);
      return seen.length < 3;
    });
    return seen;
  };

  it('from the file', function () {
    expect(firstThree({ afterSeq: 0 })).to.deep.equal([1, 2, 3]);
    expect(firstThree({ afterSeq: 0, kind: 'can' })).to.deep.equal([2, 4, 6]);
  });

  it('from memory, by scan and by one kind', function () {
    expect(firstThree({ afterSeq: 950 })).to.deep.equal([951, 952, 953]);
    expect(firstThree({ afterSeq: 950, kind: ['can', 'v2g'] })).to.deep.equal([951, 952, 953]);
    expect(firstThree({ afterSeq: 950, kind: 'v2g' })).to.deep.equal([951, 953, 955]);
  });
});
