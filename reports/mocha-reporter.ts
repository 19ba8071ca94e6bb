// How a run's results are written: allure-mocha (allure-results) with the spec console output and JUnit
// XML beside it. Kept here so the runner never touches Allure itself.

import AllureMochaReporter from 'allure-mocha';
import { allureCategories } from './run-metadata.ts';

export { AllureMochaReporter };

export function reporterOptions(o: { resultsDir: string; junitFile: string; environmentInfo: Record<string, string> }): Record<string, unknown> {
  return {
    resultsDir: o.resultsDir,
    extraReporters: ['spec', ['xunit', { output: o.junitFile }]],
    environmentInfo: o.environmentInfo,
    categories: allureCategories(),
  };
}
