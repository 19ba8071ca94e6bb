// Two RP7900-class units in parallel as one battery, each against the guide's transcript: same voltage and
// protection levels, half the over-current each, twice the series resistance each, and one judged trace
// that is the sum of their logs.
import { expect } from 'chai';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline, type SampleBlock } from '../../drivers/core/timeline.ts';
import { floatBlock } from '../../drivers/scpi/binary-block.ts';
import { ParallelBatteryEmulator } from '../../drivers/scpi/parallel-units.ts';
import { Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { TranscriptTransport, type TranscriptEntry } from '../../drivers/scpi/transport.ts';
import { CONFIGURE, ELOG, OPEN, QUIET } from './rp7900-transcripts.ts';

const OUTPUT_ON: TranscriptEntry[] = [
  ['OUTP ON', null],
  ['OUTP?', '1'],
];
const OFF_AND_CLOSE: TranscriptEntry[] = [['OUTP OFF', null], ['OUTP?', '0'], ...QUIET, ['ABOR:ELOG', null]];

describe('battery-emulator units in parallel', function () {
  it('share the current, add up their ratings, and log one summed trace', async function () {
    const clock = new VirtualClock();
    const timeline = new Timeline({ clock });
    const unitRecords = [
      [-10, 820, -11, 820.5, -12, 821],
      [-9, 820.25, -10, 820.75, -11, 821.25],
    ];
    const transports = unitRecords.map(
      (records) =>
        new TranscriptTransport([
          ...OPEN,
          ...CONFIGURE,
          ...OUTPUT_ON,
          ...ELOG,
          ['FETC:ELOG? 1000', floatBlock(records)],
          ['FETC:ELOG? 1000', floatBlock([])],
          ...OFF_AND_CLOSE,
        ]),
    );
    const battery = new ParallelBatteryEmulator('battery', 2, timeline, (k, unitTimeline) => {
      return new Rp7900BatteryEmulator({
        name: `battery#${k + 1}`,
        transport: transports[k],
        clock,
        timeline: unitTimeline,
        pollMs: 3_600_000,
      });
    });
    await battery.open();
    expect(battery.ratings).to.deep.equal({ maxVoltageV: 950, maxCurrentA: 80, maxResistanceOhm: 0.5, maxOvpV: 1045 });
    await battery.setBatteryVoltage(816.5);
    await battery.setSeriesResistance(0.02); // 0.04 Ω per unit
    await battery.setProtection({ ovpV: 900, ocpA: 70, uvpV: 600 }); // 35 A per unit
    await battery.setWatchdog(5);
    await battery.setOutput(true);
    await battery.startStreaming();
    await battery.flush();
    await battery.close();
    for (const t of transports) t.assertConsumed();
    const blocks = timeline.query({ kind: 'samples', source: 'battery' }).map((e) => e.data as unknown as SampleBlock);
    expect(blocks).to.have.length(1);
    expect(blocks[0].channels.currentA).to.deep.equal([19, 21, 23]);
    expect(blocks[0].channels.voltageV).to.deep.equal([820.125, 820.625, 821.125]);
    expect(timeline.query({ kind: 'samples', source: 'battery#1' })).to.deep.equal([]); // only the sum is judged
  });
});
