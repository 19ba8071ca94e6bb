// Issue 16: a bench with a separate power analyser (an emulated analyser of the class in
// fixtures/instruments/power-analyser.yaml, on the same DC bus as the battery, driven over SCPI in-process,
// virtual time) runs the ramp suite; every test passes, and the trace each one judged is the analyser's, not
// the battery emulator's — the samples in its evidence are the analyser's values at its own 10 ms interval.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOnBench } from './bench-run.ts';

interface Attachment {
  name: string;
  type: string;
  source: string;
}
interface Node {
  attachments?: Attachment[];
  steps?: Node[];
}

function csvAttachments(n: Node): Attachment[] {
  return [...(n.attachments ?? []).filter((a) => a.type === 'text/csv'), ...(n.steps ?? []).flatMap(csvAttachments)];
}

/** Every current value a source put on the timeline. */
function currents(timelineFile: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const line of readFileSync(timelineFile, 'utf8').split('\n')) {
    if (!line.includes('"kind":"samples"')) continue;
    const e = JSON.parse(line) as { source: string; data: { channels: { currentA: number[] } } };
    const set = out.get(e.source) ?? new Set<number>();
    for (const i of e.data.channels.currentA) set.add(i);
    out.set(e.source, set);
  }
  return out;
}

describe('ramp suite on a bench with a separate power analyser', function () {
  this.timeout(0); // a whole run of the harness in virtual time: no wall-clock limit (house rule)
  it('passes every test, each judged on the analyser trace', function () {
    const { dir, results, notPassed, tail } = runOnBench('mcs-power-analyser.yaml', ['suites/mcs/current-ramp.spec.ts']);
    expect(results.length, tail).to.equal(6);
    expect(notPassed, tail).to.deep.equal([]);

    const seen = currents(join(dir, 'timeline.jsonl'));
    expect([...seen.keys()].sort(), 'both instruments sampled the bus').to.deep.equal(['analyser', 'battery']);
    for (const r of results) {
      const csvs = csvAttachments(r as unknown as Node);
      expect(csvs, `${r.name}: its samples are attached`).to.not.be.empty;
      for (const a of csvs) {
        const rows = readFileSync(join(dir, 'allure-results', a.source), 'utf8')
          .trim()
          .split('\n')
          .slice(1);
        const cells = rows.map((l) => l.split(',').map(Number));
        expect(cells.length, a.name).to.be.greaterThan(100);
        const spacing = cells[1][0] - cells[0][0];
        expect(spacing, `${a.name}: the analyser's 10 ms interval, not the battery's 1 ms`).to.be.closeTo(0.01, 1e-6);
        const foreign = cells.filter(([, i]) => !seen.get('analyser')!.has(i));
        expect(foreign.length, `${a.name}: every judged current is an analyser sample`).to.equal(0);
      }
    }
  });
});
