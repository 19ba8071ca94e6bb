// A veth pair a test brings up itself (the project's scripts/veth-link.sh, through drivers/iso15118/veth.ts) and
// takes down again in its after hook, so a test run leaves the machine's links as it found them. Only a pair this
// call created is removed: one that was already up (a lab's, or another process's) stays, as a bench run leaves it
// (benches/kinds/v2g-link.ts).
import { ensureVethLink, removeVethLink, vethLinkStatus, type VethLink, type VethLinkSpec } from '../../drivers/iso15118/veth.ts';

export interface TestVethPair extends VethLink {
  /** Remove the pair if this test created it (idempotent). */
  remove(): Promise<void>;
}

export async function upTestVethPair(spec: VethLinkSpec): Promise<TestVethPair> {
  let created = !(await vethLinkStatus(spec)).up;
  const link = await ensureVethLink(spec);
  return {
    ...link,
    async remove() {
      if (!created) return;
      created = false;
      await removeVethLink(spec);
    },
  };
}
