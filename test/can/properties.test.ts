import { expect } from 'chai';
import fc from 'fast-check';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { CanFrameError, FD_LENGTHS, sameFrame, validateFrame, type CanFrame } from '../../drivers/can/frame.ts';
import { formatCandumpLine, parseCandumpLine } from '../../drivers/can/trace-candump.ts';
import { formatPcap, parsePcap } from '../../drivers/can/trace-pcap.ts';
import { formatSend, MessageSplitter, parseFdSend, parseSend, tokens } from '../../drivers/can/socketcand-protocol.ts';
import { openVirtualCan } from '../../drivers/can/virtual-bus.ts';
import { J1939Tp, type J1939Message } from '../../drivers/can/j1939-tp.ts';

const arbFrame: fc.Arbitrary<CanFrame> = fc.oneof(
  fc.record({ id: fc.integer({ min: 0, max: 0x7ff }), extended: fc.constant(false), data: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ id: fc.integer({ min: 0, max: 0x1fffffff }), extended: fc.constant(true), data: fc.uint8Array({ maxLength: 8 }) }),
  fc
    .record({
      id: fc.integer({ min: 0, max: 0x1fffffff }),
      extended: fc.boolean(),
      len: fc.constantFrom(...FD_LENGTHS),
      brs: fc.boolean(),
      esi: fc.boolean(),
      seed: fc.integer(),
    })
    .map(({ id, extended, len, brs, esi, seed }) => ({
      id: extended ? id : id & 0x7ff,
      extended,
      fd: true,
      brs,
      esi,
      data: Uint8Array.from({ length: len }, (_, i) => (seed + i * 31) & 0xff),
    })),
  fc.record({
    id: fc.integer({ min: 0, max: 0x7ff }),
    extended: fc.constant(false),
    rtr: fc.constant(true),
    data: fc.integer({ min: 0, max: 8 }).map((n) => new Uint8Array(n)),
  }),
);

describe('CAN properties', function () {
  it('every valid frame survives candump text and pcap unchanged', function () {
    fc.assert(
      fc.property(
        arbFrame,
        fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => s * 1e6 + 123),
        (frame, epochUs) => {
          validateFrame(frame, 'gen');
          const r = { epochUs, bus: 'can0', frame };
          const back = parseCandumpLine(formatCandumpLine(r), 'line');
          expect(back.epochUs).to.equal(epochUs);
          expect(sameFrame(back.frame, frame)).to.equal(true);
          expect(!!back.frame.brs).to.equal(!!frame.brs);
          const p = parsePcap(formatPcap([r]))[0];
          expect(sameFrame(p.frame, frame)).to.equal(true);
          expect(p.epochUs).to.equal(epochUs);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('every classic or FD frame survives a socketcand send command', function () {
    fc.assert(
      fc.property(
        arbFrame.filter((f) => !f.rtr),
        (frame) => {
          const text = formatSend(frame);
          const tk = tokens(text.slice(1, -1));
          const back = tk[0] === 'send' ? parseSend(tk, 'x') : parseFdSend(tk, 'x');
          expect(sameFrame(back, frame)).to.equal(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random bytes into the splitter and the command parsers give messages or typed errors, never a crash', function () {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('<', '>', ' ', 's', 'e', 'n', 'd', '1', 'F', 'x', '\n', '9', 'f') }), { maxLength: 20 }),
        (chunks) => {
          const sp = new MessageSplitter();
          for (const c of chunks) {
            const { messages } = sp.push(c);
            for (const m of messages) {
              try {
                const tk = tokens(m);
                parseSend(['send', ...tk.slice(1)], 'fuzz');
              } catch (err) {
                expect(err).to.be.instanceOf(CanFrameError);
              }
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('J1939 TP delivers any payload of 9…1785 bytes whole, over any CTS block size', async function () {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 9, max: 1785 }), fc.integer({ min: 1, max: 255 }), fc.integer(), async (size, perCts, seed) => {
        const clock = new VirtualClock({ autoAdvance: true });
        const bus = `prop-${seed}-${size}`;
        const a = openVirtualCan(bus, { clock });
        const b = openVirtualCan(bus, { clock });
        const tx = new J1939Tp({ transport: a, clock, sa: 0xf4, dtGapMs: 0 });
        const rx = new J1939Tp({ transport: b, clock, sa: 0x56, maxPacketsPerCts: perCts });
        const got: J1939Message[] = [];
        rx.onMessage((m) => got.push(m));
        const data = Uint8Array.from({ length: size }, (_, i) => (seed ^ (i * 7)) & 0xff);
        try {
          await tx.send(0x1500, 0x56, data);
          expect(got).to.have.length(1);
          expect(Array.from(got[0].data)).to.deep.equal(Array.from(data));
        } finally {
          tx.close();
          rx.close();
          await a.close();
          await b.close();
          clock.stopAutoAdvance();
        }
      }),
      { numRuns: 40 },
    );
  });
});
