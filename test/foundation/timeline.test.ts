import { expect } from 'chai';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { readTimelineFile, Timeline } from '../../drivers/core/timeline.ts';

function tmpFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'mcs-tl-')), 'timeline.jsonl');
}

describe('timeline', function () {
  it('stamps events with the injected clock and filters by kind, source and time', async function () {
    const clock = new VirtualClock();
    const tl = new Timeline({ clock });
    tl.record('can', 'can0', { id: 1 });
    await clock.advance(5);
    tl.record('v2g', 'ev', { msg: 'SessionSetupReq' });
    await clock.advance(5);
    tl.record('can', 'can1', { id: 2 });
    expect(tl.query({ kind: 'can' }).map((e) => e.data.id)).to.deep.equal([1, 2]);
    expect(tl.query({ source: 'ev' })[0].t).to.equal(5e6);
    expect(tl.query({ from: 4e6, to: 6e6 }).map((e) => e.kind)).to.deep.equal(['v2g']);
    expect(tl.query({ afterSeq: 2 }).length).to.equal(1);
  });

  it('streams to disk and keeps only the newest events in memory, reading older windows back from the file', function () {
    const clock = new VirtualClock();
    const file = tmpFile();
    const tl = new Timeline({ clock, file, memoryEvents: 100, flushChars: 1000 });
    for (let i = 0; i < 1000; i++) tl.record('note', 'x', { i });
    // Only 100 in memory, but a query from the start still sees all 1000 (read back from disk).
    expect(tl.query({ afterSeq: 0 }).length).to.equal(1000);
    expect(tl.query({ afterSeq: 950 }).length).to.equal(50);
    tl.close();
    const onDisk = readTimelineFile(file);
    expect(onDisk.length).to.equal(1000);
    expect(onDisk.map((e) => e.seq)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('flush() puts everything recorded so far on disk (the exit path)', function () {
    const clock = new VirtualClock();
    const file = tmpFile();
    const tl = new Timeline({ clock, file });
    tl.record('run', 'runner', { event: 'start' });
    expect(readFileSync(file, 'utf8')).to.equal(''); // buffered
    tl.flush();
    expect(readTimelineFile(file).length).to.equal(1);
  });

  it('a torn last line (crash mid-write) loses nothing before it', function () {
    const clock = new VirtualClock();
    const file = tmpFile();
    const tl = new Timeline({ clock, file });
    tl.record('note', 'a', {});
    tl.record('note', 'b', {});
    tl.close();
    appendFileSync(file, '{"seq":3,"t":0,"kind":"no');
    expect(readTimelineFile(file).map((e) => e.source)).to.deep.equal(['a', 'b']);
  });

  it('reassembles instrument sample blocks into one channel', function () {
    const clock = new VirtualClock();
    const tl = new Timeline({ clock });
    tl.record('samples', 'battery', { t0: 0, dt: 1e6, channels: { currentA: [0, 1, 2], voltageV: [800, 800, 800] } });
    tl.record('samples', 'battery', { t0: 3e6, dt: 1e6, channels: { currentA: [3, 4] } });
    const s = tl.samples('currentA', { from: 1e6, to: 3e6 });
    expect(s.v).to.deep.equal([1, 2, 3]);
    expect(s.t).to.deep.equal([1e6, 2e6, 3e6]);
  });

  it('a listener that throws never loses the record', function () {
    const tl = new Timeline({ clock: new VirtualClock() });
    tl.subscribe(() => {
      throw new Error('buggy listener');
    });
    tl.record('note', 'x', {});
    expect(tl.query().length).to.equal(1);
  });
});
