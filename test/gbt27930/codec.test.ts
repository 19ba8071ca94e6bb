import { expect } from 'chai';
import fc from 'fast-check';
import { InputError } from '../../drivers/core/errors.ts';
import { decodeByPgn, decodeMessage, encodeMessage, GbtDecodeError, GbtEncodeError } from '../../drivers/gbt27930/codec.ts';
import { allOnes, type NumField } from '../../drivers/gbt27930/fields.ts';
import { BMS_ADDRESS, buildId, CHARGER_ADDRESS, parseId } from '../../drivers/gbt27930/ids.ts';
import { GBT_CODES, MESSAGES, type GbtCode, type GbtMessageMap } from '../../drivers/gbt27930/messages.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

/** Frames recorded from a real session and what each decodes to (`only`: the fields named, the rest unchecked). */
const RECORDED: { code: GbtCode; frame: string; note?: string; decoded?: object; only?: object }[] = [
  { code: 'CHM', frame: '010100', decoded: { versionMinor: 1, versionMajor: 1 } },
  { code: 'BHM', frame: 'A510', decoded: { maxChargeVoltageV: 426.1 } },
  { code: 'CRM', frame: '0001010101313233', decoded: { recognition: 0, chargerNumber: 0x01010101, regionCode: '123' } },
  {
    code: 'BCP',
    frame: '7201DA052A02A5107308 03C60E',
    note: 'the charging current sign flipped to positive',
    decoded: {
      maxCellVoltageV: 3.7,
      maxChargeCurrentA: 250.2,
      nominalEnergyKwh: 55.4,
      maxChargeVoltageV: 426.1,
      maxTemperatureC: 65,
      socPct: 77.6,
      batteryVoltageV: 378.2,
    },
  },
  {
    code: 'CML',
    frame: '1C257C01DC05A00F',
    decoded: { maxOutputVoltageV: 950, minOutputVoltageV: 38, maxOutputCurrentA: 250, minOutputCurrentA: 0 },
  },
  { code: 'BCL', frame: 'A510D80E02', decoded: { voltageDemandV: 426.1, currentDemandA: 20, mode: 2 } },
  {
    code: 'BCS',
    frame: 'C50EA00F4C614D0000',
    decoded: { measuredVoltageV: 378.1, measuredCurrentA: 0, maxCellVoltageV: 3.32, maxCellGroup: 6, socPct: 77, remainingMin: 0 },
  },
  {
    code: 'CCS',
    frame: '090F3E0E0000FD',
    note: '7 bytes',
    decoded: { outputVoltageV: 384.9, outputCurrentA: 35.4, chargingTimeMin: 0, chargingPermitted: 1 },
  },
  {
    code: 'BSM',
    frame: '1E360635 0F0010',
    only: {
      maxCellVoltageIndex: 31,
      maxTemperatureC: 4,
      maxTemperatureProbe: 7,
      minTemperatureC: 3,
      minTemperatureProbe: 16,
      chargingPermitted: 1,
      insulation: 0,
    },
  },
  { code: 'CST', frame: '0400F0F0', only: { manualStop: 1, setpointReached: 0, faultStop: 0, bmsStopped: 0 } },
  { code: 'BST', frame: '40000000', note: '0-filled reserved bits', only: { chargerStopped: 1, socReached: 0, overCurrent: 0 } },
  {
    code: 'BSD',
    frame: '4D4D014E013536',
    decoded: { socPct: 77, minCellVoltageV: 3.33, maxCellVoltageV: 3.34, minTemperatureC: 3, maxTemperatureC: 4 },
  },
];

describe('GB/T 27930 codec', function () {
  describe('identifiers', function () {
    it('builds the IDs seen on real buses from priority, PGN and addresses', function () {
      const id = (code: GbtCode) => {
        const d = MESSAGES.get(code)!;
        const [sa, da] = d.from === 'charger' ? [CHARGER_ADDRESS, BMS_ADDRESS] : [BMS_ADDRESS, CHARGER_ADDRESS];
        return buildId(d.priority, d.pgn, da, sa);
      };
      expect(id('CHM')).to.equal(0x1826f456);
      expect(id('BHM')).to.equal(0x182756f4);
      expect(id('CML')).to.equal(0x1808f456);
      expect(id('BRO')).to.equal(0x100956f4);
      expect(id('BCL')).to.equal(0x181056f4);
      expect(id('CCS')).to.equal(0x1812f456);
      expect(id('BST')).to.equal(0x101956f4);
      expect(id('CEM')).to.equal(0x081ff456);
      expect(parseId(0x1cec56f4)).to.deep.equal({ priority: 7, pgn: 0xec00, da: 0x56, sa: 0xf4 });
    });

    it('has all 22 messages with distinct PGNs', function () {
      expect(GBT_CODES).to.have.length(22);
      expect(new Set([...MESSAGES.values()].map((d) => d.pgn)).size).to.equal(22);
    });
  });

  describe('decodes frames recorded from a real session', function () {
    for (const r of RECORDED) {
      it(`${r.code}${r.note ? ` (${r.note})` : ''}`, function () {
        const decoded = decodeMessage(r.code, hex(r.frame));
        if (r.only) expect(decoded).to.include(r.only);
        else expect(decoded).to.deep.equal(r.decoded);
      });
    }
  });

  describe('encodes strictly', function () {
    it('uses the standard lengths and fills unused bits with 1', function () {
      expect(
        toHex(encodeMessage('CCS', { outputVoltageV: 384.9, outputCurrentA: 35.4, chargingTimeMin: 0, chargingPermitted: 1 })),
      ).to.equal('090F3E0E0000FDFF');
      const bst = encodeMessage('BST', { ...zeroStatus('BST'), chargerStopped: 1 } as GbtMessageMap['BST']);
      expect(toHex(bst)).to.equal('400000F0');
      expect(toHex(encodeMessage('CRM', { recognition: 0xaa, chargerNumber: 0x01010101 }))).to.equal('AA01010101FFFFFF');
      expect(toHex(encodeMessage('CTS', {}))).to.equal('FFFFFFFFFFFFFF');
      expect(toHex(encodeMessage('CTS', { time: { second: 5, minute: 30, hour: 14, day: 25, month: 11, year: 2026 } }))).to.equal(
        '05301425112026',
      );
      expect(encodeMessage('BRM', brm())).to.have.length(49);
      expect(encodeMessage('BRM', brm(), { length: 41 })).to.have.length(41);
    });

    it('rejects values that do not fit the field with a typed error naming it', function () {
      expect(() => encodeMessage('BCL', { voltageDemandV: 400, currentDemandA: 500, mode: 2 })).to.throw(
        GbtEncodeError,
        /BCL\.currentDemandA/,
      );
      expect(() => encodeMessage('BHM', { maxChargeVoltageV: -1 })).to.throw(GbtEncodeError);
      expect(() => encodeMessage('BCL', { voltageDemandV: 400, mode: 2 } as never)).to.throw(GbtEncodeError, /required/);
    });
  });

  describe('decodes tolerantly', function () {
    it('accepts DLC padded to 8 with zeros or ones', function () {
      expect(decodeMessage('BCL', hex('980D100E01000000'))).to.deep.equal({ voltageDemandV: 348, currentDemandA: 40, mode: 1 });
      expect(decodeMessage('BRO', hex('AAFFFFFFFFFFFFFF'))).to.deep.equal({ ready: 0xaa });
    });

    it('accepts CCS with 6, 7 or 8 bytes', function () {
      expect(decodeMessage('CCS', hex('090F3E0E0000'))).to.deep.equal({ outputVoltageV: 384.9, outputCurrentA: 35.4, chargingTimeMin: 0 });
      expect(decodeMessage('CCS', hex('090F3E0E0000FD')).chargingPermitted).to.equal(1);
      expect(decodeMessage('CCS', hex('090F3E0E0000FDFF')).chargingPermitted).to.equal(1);
    });

    it('accepts BRM of 41 (Table 3) or 49 bytes (field list)', function () {
      const long = encodeMessage('BRM', brm());
      const d49 = decodeMessage('BRM', long);
      expect(d49.vin).to.equal('LTEST0000000GBT01');
      expect(d49.softwareVersion).to.deep.equal(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
      const d41 = decodeMessage('BRM', long.subarray(0, 41));
      expect(d41.vin).to.equal('LTEST0000000GBT01');
      expect(d41.softwareVersion).to.equal(undefined);
    });

    it('accepts BCS truncated to 8 bytes (single frame) without the remaining time', function () {
      expect(decodeMessage('BCS', hex('C50EA00F4C614D00'))).to.not.have.property('remainingMin');
    });

    it('throws GbtDecodeError (an InputError) with where for short frames and bad BCD', function () {
      let err: unknown;
      try {
        decodeMessage('BCL', hex('A510D8'), 'can0 frame 0x181056F4');
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(GbtDecodeError).and.instanceOf(InputError);
      expect((err as Error).message).to.match(/can0 frame 0x181056F4.*BCL needs at least 5 bytes, got 3/);
      expect(() => decodeMessage('CTS', hex('5A301425112026'))).to.throw(GbtDecodeError, /not BCD/);
    });

    it('returns undefined for a PGN that is not GB/T (foreign frames share the bus)', function () {
      expect(decodeByPgn(0x7000, hex('0000B5'))).to.equal(undefined);
      expect(decodeByPgn(0x1000, hex('A510D80E02'))?.code).to.equal('BCL');
    });

    it('decodes BMV/BMT arrays of any length', function () {
      const bmv = encodeMessage('BMV', {
        cells: [
          { voltageV: 3.32, group: 6 },
          { voltageV: 3.3, group: 1 },
        ],
      });
      expect(toHex(bmv)).to.equal('4C614A11');
      expect(decodeMessage('BMV', bmv).cells).to.deep.equal([
        { voltageV: 3.32, group: 6 },
        { voltageV: 3.3, group: 1 },
      ]);
      expect(decodeMessage('BMT', hex('3536')).probes).to.deep.equal([{ temperatureC: 3 }, { temperatureC: 4 }]);
    });
  });

  describe('properties', function () {
    for (const code of GBT_CODES) {
      it(`${code}: decode(encode(v)) = v and encode(decode(bytes)) = bytes`, function () {
        fc.assert(
          fc.property(valuesArb(code), (v) => {
            const bytes = encodeMessage(code, v as never);
            const back = decodeMessage(code, bytes);
            expect(normalise(back as unknown as Record<string, unknown>)).to.deep.equal(normalise(v));
            expect(toHex(encodeMessage(code, back as never))).to.equal(toHex(bytes));
          }),
          { numRuns: 200 },
        );
      });
    }

    it('never throws anything but GbtDecodeError on arbitrary bytes', function () {
      fc.assert(
        fc.property(fc.constantFrom(...GBT_CODES), fc.uint8Array({ maxLength: 64 }), (code, data) => {
          try {
            decodeMessage(code, data);
          } catch (e) {
            expect(e).to.be.instanceOf(GbtDecodeError);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});

function zeroStatus(code: GbtCode): Record<string, number> {
  return Object.fromEntries(MESSAGES.get(code)!.fields.map((f) => [f.name, 0]));
}

function brm(): GbtMessageMap['BRM'] {
  return {
    versionMinor: 1,
    versionMajor: 1,
    batteryType: 3,
    ratedCapacityAh: 200,
    ratedVoltageV: 380,
    manufacturer: 'MCSH',
    packSerial: 1,
    productionYear: 2025,
    productionMonth: 6,
    productionDay: 1,
    chargeCount: 12,
    ownership: 1,
    vin: 'LTEST0000000GBT01',
    softwareVersion: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
  };
}

/** Values from raw integers so every generated value is exactly representable. */
function numArb(f: NumField): fc.Arbitrary<number | undefined> {
  const max = allOnes(f.bits) - (f.optional ? 1 : 0);
  const phys = fc.integer({ min: 0, max }).map((raw) => Math.round((raw * (f.scale ?? 1) + (f.offset ?? 0)) * 1e6) / 1e6);
  return f.optional ? fc.option(phys, { nil: undefined }) : phys;
}

function valuesArb(code: GbtCode): fc.Arbitrary<Record<string, unknown>> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of MESSAGES.get(code)!.fields) {
    if (f.kind === 'num') parts[f.name] = numArb(f);
    else if (f.kind === 'ascii') parts[f.name] = fc.option(fc.stringMatching(new RegExp(`^[A-Z0-9]{1,${f.length}}$`)), { nil: undefined });
    else if (f.kind === 'bytes')
      parts[f.name] = fc.option(
        fc.uint8Array({ minLength: f.length, maxLength: f.length }).filter((b) => !b.every((x) => x === 0xff)),
        { nil: undefined },
      );
    else if (f.kind === 'bcd-time')
      parts[f.name] = fc.option(
        fc.record({
          second: fc.integer({ min: 0, max: 59 }),
          minute: fc.integer({ min: 0, max: 59 }),
          hour: fc.integer({ min: 0, max: 23 }),
          day: fc.integer({ min: 1, max: 31 }),
          month: fc.integer({ min: 1, max: 12 }),
          year: fc.integer({ min: 2000, max: 2099 }),
        }),
        { nil: undefined },
      );
    else
      parts[f.name] = fc.array(fc.record(Object.fromEntries(f.item.map((s) => [s.name, numArb(s)]))), {
        maxLength: Math.min(f.maxItems, 40),
      });
  }
  return fc.record(parts);
}

function normalise(v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));
}
