// Whether a ServiceDetailRes (ISO 15118-2) is one a vehicle can use: an OK answer about the service asked and,
// where it carries a ServiceParameterList, parameter sets to choose from (each ParameterSetID once; each parameter
// named, once per set, with exactly one value). Judged from the decoded message as it came off the wire.

import type { Exchange } from '../../drivers/iso15118/evcc/exchange.ts';

/** The value elements of a -2 ParameterType: exactly one of them per parameter. */
const VALUE_ELEMENTS = ['boolValue', 'byteValue', 'shortValue', 'intValue', 'physicalValue', 'stringValue'];

export const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** What is wrong with a ServiceDetailRes for `serviceId` (empty: well-formed). */
export function serviceDetailProblems(ex: Exchange, serviceId: number): string[] {
  if (ex.outcome !== 'response') return [`no answer (${ex.outcome}${ex.detail ? `: ${ex.detail}` : ''})`];
  const problems: string[] = [];
  if (ex.responseRoot !== 'ServiceDetailRes') problems.push(`answered with ${ex.responseRoot}`);
  if (!/^OK/.test(String(ex.responseCode))) problems.push(`ResponseCode ${ex.responseCode}`);
  if (Number(ex.body?.ServiceID) !== serviceId) problems.push(`ServiceID ${ex.body?.ServiceID}, asked ${serviceId}`);
  const list = ex.body?.ServiceParameterList;
  if (list === undefined) return problems;
  const sets = asList<Record<string, any>>(list.ParameterSet);
  if (!sets.length) problems.push('a ServiceParameterList without a parameter set');
  const ids = sets.map((s) => s.ParameterSetID);
  const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (repeated.length) problems.push(`ParameterSetID ${repeated.join(', ')} given more than once`);
  for (const set of sets) {
    const params = asList<Record<string, any>>(set.Parameter);
    if (!params.length) problems.push(`parameter set ${set.ParameterSetID} has no parameter`);
    const names = params.map((p) => String(p['@Name'] ?? ''));
    if (names.some((n) => !n)) problems.push(`parameter set ${set.ParameterSetID}: a parameter without a Name`);
    const twice = [...new Set(names.filter((n, i) => n && names.indexOf(n) !== i))];
    if (twice.length) problems.push(`parameter set ${set.ParameterSetID}: ${twice.join(', ')} named more than once`);
    for (const p of params) {
      const values = VALUE_ELEMENTS.filter((v) => p[v] !== undefined);
      if (values.length !== 1) problems.push(`parameter set ${set.ParameterSetID}: '${p['@Name']}' has ${values.length} values`);
    }
  }
  return problems;
}
