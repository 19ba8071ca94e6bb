// How a run's results are written: allure-mocha (allure-results) with JUnit XML beside it (the console lines
// are runner/progress.ts's). Kept here so the runner never touches Allure itself.

import AllureMochaReporter from 'allure-mocha';
import { allureCategories } from './run-metadata.ts';

export { AllureMochaReporter };

export function reporterOptions(o: {
  resultsDir: string;
  junitFile: string;
  environmentInfo: Record<string, string>;
}): Record<string, unknown> {
  return {
    resultsDir: o.resultsDir,
    extraReporters: [['xunit', { output: o.junitFile }]],
    environmentInfo: o.environmentInfo,
    categories: allureCategories(),
  };
}
