// What `mcs-hil report --merge` prints: where the report is, then one line per bench with its totals (and its
// re-runs), then the merged totals. Exit 0 when the report was written, whatever the verdicts (like `report`).

import { mergeReport } from './merge.ts';

export async function mergeCommand(runs: string[], out: string | undefined): Promise<number> {
  const r = await mergeReport({ runs, reportsDir: out });
  console.log(`report: ${r.htmlDir}/index.html`);
  console.log(`title: ${r.name}`);
  console.log(`single file: ${r.singleFile}`);
  for (const b of r.benches) {
    const again = b.runs.length > 1 ? ` — ${b.runs.length} runs, latest verdict counts for ${b.reRun} re-run tests` : '';
    const notRun = b.notRun ? `, ${b.notRun} not run` : '';
    const skipped = b.skipped ? `, ${b.skipped} skipped` : '';
    console.log(`bench ${b.bench} (${b.charger}): ${b.passed} passed, ${b.failed + b.broken} failed${skipped}${notRun}${again}`);
  }
  const { passed, failed, broken, total } = r.stats;
  console.log(`all benches: ${total} tests, ${passed} passed, ${failed + broken} failed`);
  return 0;
}
