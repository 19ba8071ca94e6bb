// A protection of a SCPI instrument latched its output off. On these units `OUTP?` still answers the
// programmed state after a trip: only the questionable-status condition registers show it, so the driver
// polls them while the output is on and turns what they say into this fault, naming the protection.

import { BenchFault } from '../core/errors.ts';
import type { ProfiledCommands } from './profiled-commands.ts';
import { tripsIn } from './profile.ts';

export class InstrumentTrip extends BenchFault {
  override name = 'InstrumentTrip';
  constructor(
    resource: string,
    readonly protections: string[],
    readonly registers: { questionable: number; questionable2: number },
  ) {
    super(
      `${resource}: output latched off by ${protections.join(' and ')} ` +
        `(questionable ${registers.questionable}, questionable2 ${registers.questionable2})`,
      resource,
    );
  }
}

/** Read both condition registers; the trip they show, or undefined when none. */
export async function readTrip(c: ProfiledCommands): Promise<InstrumentTrip | undefined> {
  const questionable = await c.getNumber('questionable');
  const questionable2 = c.has('questionable2') ? await c.getNumber('questionable2') : 0;
  const s = c.profile.status;
  const names = [...tripsIn(s.questionable, questionable), ...tripsIn(s.questionable2, questionable2)];
  return names.length ? new InstrumentTrip(c.resourceName, names, { questionable, questionable2 }) : undefined;
}
