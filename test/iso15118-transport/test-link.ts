// A veth pair of our own for the transport tests, so they never share (or tear down) the default
// mcs-ev0/mcs-evse0 link another test run may be using. Created with the project's script (CI is root).
import { ensureVethLink, type VethLink } from '../../drivers/iso15118/veth.ts';

export const TEST_EV_IF = 'mcs-tev0';
export const TEST_EVSE_IF = 'mcs-tevse0';

export function bringUpTestLink(): Promise<VethLink> {
  return ensureVethLink({ evInterface: TEST_EV_IF, chargerInterface: TEST_EVSE_IF });
}
