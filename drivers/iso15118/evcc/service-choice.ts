// Which energy service and parameter set the vehicle selects: the first service in its order of preference
// that the charger offered and described with a parameter set of the wanted control mode (or a choice a
// test makes itself, whose control mode is read from the charger's description).

import { McsParameter, parameterMap, type ParameterSet } from './messages.ts';
import type { ControlMode } from './request-builders.ts';

export interface ServiceChoice {
  serviceId: number;
  parameterSetId: number;
  controlMode: ControlMode;
}

/** undefined when no offered service has a parameter set of the wanted control mode. */
export function chooseParameterSet(
  choice: { serviceId: number; parameterSetId: number } | undefined,
  wanted: ControlMode,
  preference: number[],
  offered: number[],
  details: ReadonlyMap<number, ParameterSet[]>,
): ServiceChoice | undefined {
  const modeOf = (set: ParameterSet): ControlMode =>
    parameterMap(set).ControlMode === McsParameter.ControlMode.Dynamic ? 'Dynamic' : 'Scheduled';
  if (choice) {
    const set = details.get(choice.serviceId)?.find((x) => x.ParameterSetID === choice.parameterSetId);
    return { ...choice, controlMode: set ? modeOf(set) : wanted };
  }
  for (const id of preference) {
    const set = offered.includes(id) ? details.get(id)?.find((x) => modeOf(x) === wanted) : undefined;
    if (set) return { serviceId: id, parameterSetId: set.ParameterSetID, controlMode: wanted };
  }
  return undefined;
}
