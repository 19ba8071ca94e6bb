// Bad frames give a typed error that says what is wrong; encoding refuses values that do not fit.

import { expect } from 'chai';
import { InputError } from '../../drivers/core/errors.ts';
import { MmeDecodeError } from '../../drivers/plc/mme.ts';
import { PcapFormatError, parseEthernetPcap } from '../../drivers/plc/pcap-ethernet.ts';
import { decodeSlac, encodeSlac } from '../../drivers/plc/slac-messages.ts';

const header = { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01' };
const parmReq = () =>
  encodeSlac({ name: 'CM_SLAC_PARM.REQ', header, fields: { applicationType: 0, securityType: 0, runId: '0102030405060708' } });

describe('SLAC codec: bad input', function () {
  it('a frame cut inside a field names the field', function () {
    const match = encodeSlac({
      name: 'CM_SLAC_MATCH.REQ',
      header,
      fields: {
        applicationType: 0,
        securityType: 0,
        mvfLength: 0x3e,
        pevId: '00'.repeat(17),
        pevMac: header.src,
        evseId: '00'.repeat(17),
        evseMac: header.dst,
        runId: '00'.repeat(8),
        reserved: '00'.repeat(8),
      },
    });
    expect(() => decodeSlac(match.subarray(0, 30))).to.throw(MmeDecodeError, /inside field 'pevId'/);
  });

  it('another EtherType, an unknown MMTYPE and a runt are refused as such', function () {
    const other = parmReq();
    other.writeUInt16BE(0x86dd, 12);
    expect(() => decodeSlac(other)).to.throw(MmeDecodeError, /EtherType 0x86dd is not HomePlug AV/);
    const vendor = parmReq();
    vendor.writeUInt16LE(0xa038, 15);
    expect(() => decodeSlac(vendor)).to.throw(MmeDecodeError, /MMTYPE 0xa038 is not a SLAC or local-modem MME/);
    expect(() => decodeSlac(Buffer.alloc(10))).to.throw(MmeDecodeError, /shorter than an MME header/);
  });

  it('encoding refuses a RunID of the wrong length and a bad MAC address', function () {
    const fields = { applicationType: 0, securityType: 0, runId: '0102' };
    expect(() => encodeSlac({ name: 'CM_SLAC_PARM.REQ', header, fields })).to.throw(InputError, /'runId': needs 8 bytes as hex/);
    const badMac = { dst: 'ff:ff:ff', src: header.src };
    expect(() => encodeSlac({ name: 'CM_SLAC_PARM.REQ', header: badMac, fields: { ...fields, runId: '00'.repeat(8) } })).to.throw(
      InputError,
      /is not a MAC address/,
    );
  });

  it('a pcap that is not one, or not Ethernet, is refused; a torn last record keeps the ones before', function () {
    expect(() => parseEthernetPcap(Buffer.alloc(30), 'x.pcap')).to.throw(PcapFormatError, /not a pcap file/);
    const head = Buffer.alloc(24);
    head.writeUInt32LE(0xa1b2c3d4, 0);
    head.writeUInt32LE(227, 20);
    expect(() => parseEthernetPcap(head, 'can.pcap')).to.throw(PcapFormatError, /link type 227 is not Ethernet/);
    head.writeUInt32LE(1, 20);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(60, 8);
    rec.writeUInt32LE(60, 12);
    const frame = parmReq();
    const torn = Buffer.alloc(16);
    torn.writeUInt32LE(60, 8);
    const file = Buffer.alloc(24 + 16 + 60 + 16 + 10);
    for (const [part, at] of [
      [head, 0],
      [rec, 24],
      [frame, 40],
      [torn, 100],
    ] as const)
      file.set(part as unknown as Uint8Array, at);
    const records = parseEthernetPcap(file, 'torn.pcap');
    expect(records).to.have.length(1);
    expect(decodeSlac(records[0].frame).name).to.equal('CM_SLAC_PARM.REQ');
  });
});
