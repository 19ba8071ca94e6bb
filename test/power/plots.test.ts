import { expect } from 'chai';
import { decimate, powerPlotSpec, powerPlotSvg, samplesCsv } from '../../reports/plots.ts';

function trace() {
  const tS: number[] = [];
  const currentA: number[] = [];
  const voltageV: number[] = [];
  for (let k = 0; k < 20_000; k++) {
    const t = 100 + k / 1000;
    tS.push(t);
    currentA.push(t < 101 ? 0 : Math.min(300, 25 * (t - 101)) + Math.sin(k));
    voltageV.push(820 + currentA[k] * 0.04);
  }
  return { tS, currentA, voltageV };
}

describe('power plots (vega-lite → SVG) and sample CSV', function () {
  it('renders requested vs measured current and voltage with the band and points as SVG', async function () {
    const samples = trace();
    const svg = await powerPlotSvg({
      title: 'MCS-RAMP-UP-001 step 0 → 300 A',
      samples,
      requested: [{ tS: 101, currentA: 300 }],
      bands: [{ label: 'settle band ± 15 A', channel: 'currentA', lo: 285, hi: 315, fromS: 113, toS: 120 }],
      points: [
        { label: 't10 %', channel: 'currentA', tS: 102.2, value: 30 },
        { label: 't90 %', channel: 'currentA', tS: 111.8, value: 270, pass: false },
      ],
    });
    expect(svg.startsWith('<svg')).to.equal(true);
    expect(svg).to.include('MCS-RAMP-UP-001 step 0 → 300 A');
    expect(svg).to.include('settle band ± 15 A');
    expect(svg).to.include('t90 %');
    expect(svg).to.include('Current (A)');
    expect(svg).to.include('Voltage (V)');
    expect(svg).to.include('requested');
    expect((svg.match(/<path/g) ?? []).length).to.be.greaterThan(4);
  });

  it('decimation keeps every bucket extreme and bounds the point count', function () {
    const t = Array.from({ length: 10_000 }, (_, k) => k);
    const y = t.map((k) => (k === 4321 ? 999 : k === 8765 ? -999 : 0));
    const d = decimate(t, y, 500);
    expect(d.t.length).to.be.at.most(500);
    expect(d.y).to.include(999);
    expect(d.y).to.include(-999);
    expect(d.t).to.include(4321);
  });

  it('the spec draws the requested current as a step function', function () {
    const spec = powerPlotSpec({
      title: 'x',
      samples: trace(),
      requested: [
        { tS: 101, currentA: 300 },
        { tS: 110, currentA: 100 },
      ],
    }) as any;
    const line = spec.vconcat[0].layer.find((l: any) => l.mark.type === 'line');
    const req = line.data.values.filter((v: any) => v.series === 'requested');
    expect(req.map((v: any) => [v.t, v.value])).to.deep.equal([
      [1, 300],
      [10, 300],
      [10, 100],
      [19.999, 100],
    ]);
  });

  it('writes the raw samples as CSV with the request column', function () {
    const csv = samplesCsv({ tS: [5, 5.001, 5.002], currentA: [1, 2, 3], voltageV: [800, 801, 802] }, [{ tS: 5.001, currentA: 50 }]);
    expect(csv.split('\n')).to.deep.equal(['t_s,current_A,voltage_V,requested_A', '0,1,800,', '0.001,2,801,50', '0.002,3,802,50', '']);
  });
});
