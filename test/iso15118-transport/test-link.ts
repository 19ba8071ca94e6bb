// A veth pair of our own for the transport tests, so they never share (or tear down) the default
// mcs-ev0/mcs-evse0 link another test run may be using. Created with the project's script (CI is root); each
// test file removes it again in its after hook (link.remove()), when it created it.
import { upTestVethPair, type TestVethPair } from '../support/veth-pair.ts';

export const TEST_EV_IF = 'mcs-tev0';
export const TEST_EVSE_IF = 'mcs-tevse0';

export function bringUpTestLink(): Promise<TestVethPair> {
  return upTestVethPair({ evInterface: TEST_EV_IF, chargerInterface: TEST_EVSE_IF });
}
