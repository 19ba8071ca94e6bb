// How a run's results are written: allure-mocha (allure-results) with JUnit XML beside it (the console lines
// are runner/progress.ts's). Kept here so the runner never touches Allure itself.

import AllureMocha from 'allure-mocha';
import type Mocha from 'mocha';
import { BatchSyncWriter } from './results-writer.ts';
import { allureCategories } from './run-metadata.ts';

// The package's types are CommonJS-shaped (the class under .default); under tsx the default import is the class itself.
const AllureMochaBase = ((AllureMocha as { default?: unknown }).default ?? AllureMocha) as typeof AllureMocha.default;

/** allure-mocha writing through a BatchSyncWriter, whose files are synced to disk once, when the run is done. */
export class AllureMochaReporter extends AllureMochaBase {
  private readonly batchWriter: BatchSyncWriter | undefined;

  constructor(runner: Mocha.Runner, opts: Mocha.MochaOptions) {
    super(runner, opts);
    const w = (opts.reporterOptions as { writer?: unknown } | undefined)?.writer;
    this.batchWriter = w instanceof BatchSyncWriter ? w : undefined;
  }

  override done(failures: number, fn?: (failures: number) => void): void {
    if (!this.batchWriter) return super.done(failures, fn);
    // A disk that refuses fsync loses durability, not results: the files are written either way.
    void this.batchWriter
      .syncAll()
      .catch(() => undefined)
      .then(() => super.done(failures, fn));
  }
}

export function reporterOptions(o: {
  resultsDir: string;
  junitFile: string;
  environmentInfo: Record<string, string>;
}): Record<string, unknown> {
  return {
    resultsDir: o.resultsDir,
    writer: new BatchSyncWriter(o.resultsDir),
    extraReporters: [['xunit', { output: o.junitFile }]],
    environmentInfo: o.environmentInfo,
    categories: allureCategories(),
  };
}
