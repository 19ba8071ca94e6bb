import { expect } from 'chai';
import { openRawEthernet, rawEthernetHandlesKept } from '../../drivers/plc/raw-ethernet.ts';

// The libpcap binding (cap 0.2.1) leaves its stopped poll handle registered in the event loop when it closes and
// then lets V8 collect the object: the loop points into freed memory, and a later handle corrupts the heap. A
// CI run died of it (a segfault in an unrelated test); a plain script that opens and closes ports with garbage
// collection in between dies within a few hundred cycles. The driver keeps every handle it opened reachable.
describe('raw Ethernet port lifetime (libpcap binding)', function () {
  it('keeps every binding handle it opened reachable after close, so V8 never frees memory the loop still uses', function () {
    const before = rawEthernetHandlesKept();
    let port;
    try {
      port = openRawEthernet('lo');
    } catch (e) {
      if ((e as { problem?: string }).problem === 'no-binding' || (e as { problem?: string }).problem === 'no-permission') this.skip();
      throw e;
    }
    port.close();
    openRawEthernet('lo').close();
    expect(rawEthernetHandlesKept()).to.equal(before + 2);
  });
});
