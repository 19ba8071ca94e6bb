import { expect } from 'chai';
import { InputError } from '../../drivers/core/errors.ts';
import { canFrame, CanFrameError, frameText, hexData, validateFrame } from '../../drivers/can/frame.ts';

describe('CAN frame validation', function () {
  it('accepts the edges of the 11- and 29-bit ranges and FD lengths', function () {
    validateFrame(canFrame(0x7ff, [1, 2, 3, 4, 5, 6, 7, 8], { extended: false }), 't');
    validateFrame(canFrame(0x1fffffff, []), 't');
    for (const n of [0, 8, 12, 16, 20, 24, 32, 48, 64]) validateFrame(canFrame(0x123, new Array(n).fill(0), { fd: true }), 't');
  });

  it('rejects ids, lengths and flag combinations a bus cannot carry, with a typed InputError', function () {
    const bad = [
      canFrame(0x800, [], { extended: false }),
      canFrame(0x20000000, [], { extended: true }),
      canFrame(-1, [], { extended: false }),
      canFrame(0x123, new Array(9).fill(0)),
      canFrame(0x123, new Array(9).fill(0), { fd: true }),
      canFrame(0x123, new Array(65).fill(0), { fd: true }),
      canFrame(0x123, [1], { brs: true }),
      canFrame(0x123, [], { fd: true, rtr: true }),
    ];
    for (const f of bad) {
      expect(() => validateFrame(f, 'can0 send'), frameText(f))
        .to.throw(CanFrameError)
        .that.is.instanceOf(InputError)
        .with.property('message')
        .that.matches(/^can0 send: /);
    }
  });

  it('says how to fix an 11-bit id that is really a 29-bit one', function () {
    expect(() => validateFrame({ id: 0x1826f456, extended: false, data: new Uint8Array() }, 'x')).to.throw(/set extended: true/);
  });

  it('writes candump-style text and parses hex strictly', function () {
    expect(frameText(canFrame(0x1826f456, [1, 1, 0]))).to.equal('1826F456#010100');
    expect(frameText(canFrame(0x12, [], { extended: false }))).to.equal('012#');
    expect(Array.from(hexData('0a.1B', 'x'))).to.deep.equal([10, 27]);
    expect(() => hexData('abc', 'line 3')).to.throw(CanFrameError, /line 3/);
  });
});
