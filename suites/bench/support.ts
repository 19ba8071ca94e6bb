// What the bench self-check specs share: the bench limit profile and the epic their requirements sit under.

import { Limits } from '../../drivers/core/limits.ts';
import { requirement, type RequirementMeta } from '../../reports/evidence.ts';

export const benchLimits = Limits.load('bench');

/** A bench self-check requirement: every one sits under the same epic in the report. */
export function benchRequirement(id: string, feature: string, severity: RequirementMeta['severity']): void {
  requirement(id, { epic: 'mcs-hil bench', feature, severity });
}
