// Parallel runs give each veth pair its own link-local addresses (MCS_EV_LL / MCS_EVSE_LL): the link
// must use them, not silently fall back to the fixed fe80::2 / fe80::1.
import { expect } from 'chai';
import { vethAddresses } from '../../drivers/iso15118/veth.ts';

describe('veth link addresses', function () {
  const saved = { ev: process.env.MCS_EV_LL, evse: process.env.MCS_EVSE_LL };
  afterEach(function () {
    for (const [k, v] of [
      ['MCS_EV_LL', saved.ev],
      ['MCS_EVSE_LL', saved.evse],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('defaults to fe80::2 (vehicle) / fe80::1 (charger)', function () {
    delete process.env.MCS_EV_LL;
    delete process.env.MCS_EVSE_LL;
    expect(vethAddresses()).to.deep.equal({ evAddress: 'fe80::2', chargerAddress: 'fe80::1' });
  });

  it('takes MCS_EV_LL / MCS_EVSE_LL from the environment, and a spec over both', function () {
    process.env.MCS_EV_LL = 'fe80::3:2';
    process.env.MCS_EVSE_LL = 'fe80::3:1';
    expect(vethAddresses()).to.deep.equal({ evAddress: 'fe80::3:2', chargerAddress: 'fe80::3:1' });
    expect(vethAddresses({ evAddress: 'fe80::9:2' }).evAddress).to.equal('fe80::9:2');
  });
});
