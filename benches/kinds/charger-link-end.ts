// Where an emulated charger serves when its settings name a link resource: the link's charger end (a veth
// pair's or a PLC link's), when the link has one.

import type { LinkEndOf } from '../../emulator/serving-charger.ts';

export function chargerLinkEnd(resources: ReadonlyMap<string, unknown>): LinkEndOf {
  return (name) => {
    const l = resources.get(name) as { chargerInterface?: string; chargerAddress?: string } | undefined;
    return l?.chargerInterface && l.chargerAddress ? { interface: l.chargerInterface, address: l.chargerAddress } : undefined;
  };
}
