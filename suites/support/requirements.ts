// One requirement table per suite: a test names its entry, `requirement(R.goodCase)`, instead of repeating
// epic/feature/story/clause/severity in every `it`. The ids stay in the suites' *-ids.ts files (data only: the
// emulator's fault catalogue names the same ids); a table adds what the Allure report shows beside each id.

import { requirement as declare, type RequirementMeta } from '../../reports/evidence.ts';

/** A requirement a test checks: its testCaseId and the labels the report files it under. */
export interface Requirement extends RequirementMeta {
  readonly id: string;
}

/** A table row: the labels of one id (the table's epic unless the row names its own). */
export type RequirementRow = Omit<RequirementMeta, 'epic'> & { epic?: string };

/** The requirements of a suite: every key of `ids` must have its row, and a row no id names does not type-check. */
export function requirementTable<K extends string>(
  epic: string,
  ids: Readonly<Record<K, string>>,
  rows: Readonly<Record<NoInfer<K>, RequirementRow>>,
): Readonly<Record<K, Requirement>> {
  const keys = Object.keys(ids) as K[];
  return Object.fromEntries(keys.map((k) => [k, { epic, ...rows[k], id: ids[k] }])) as Record<K, Requirement>;
}

/** Declare which requirement the running test checks (testCaseId, labels, description; see reports/evidence.ts). */
export function requirement(r: Requirement): void {
  declare(r.id, r);
}
