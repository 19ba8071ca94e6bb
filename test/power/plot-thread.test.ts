// Plots on the plot thread (real-time benches) are the plots the main thread would draw, and a plot the thread
// cannot draw is a rejected promise (the caller attaches why), never a hang.

import { expect } from 'chai';
import type { TopLevelSpec } from 'vega-lite';
import { plotsOffMainThread, plotThreadEnabled, renderOnPlotThread } from '../../reports/plot-thread.ts';
import { powerPlotSvg, renderPowerPlotSvg, type PowerPlotInput } from '../../reports/plots.ts';

const input: PowerPlotInput = {
  title: 'ramp 0 → 100 A',
  samples: { tS: [0, 0.5, 1, 1.5, 2], currentA: [0, 25, 50, 75, 100], voltageV: [800, 801, 802, 803, 804] },
  requested: [{ tS: 0, currentA: 100 }],
  points: [{ label: 't90 %', channel: 'currentA', tS: 1.8, value: 90 }],
};

describe('plot thread (plots off the main thread on a real-time bench)', function () {
  afterEach(() => plotsOffMainThread(false));

  it('renders the same SVG as the main thread, and is used only while switched on', async function () {
    const inline = await renderPowerPlotSvg(input);
    expect(plotThreadEnabled()).to.equal(false);
    plotsOffMainThread(true);
    const [a, b] = await Promise.all([powerPlotSvg(input), powerPlotSvg({ ...input, title: 'second' })]);
    expect(a).to.equal(inline);
    expect(b).to.include('second');
  });

  it('rejects with the reason when the thread cannot draw the plot', async function () {
    const err = await renderOnPlotThread({ mark: 'no-such-mark' } as unknown as TopLevelSpec).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/^plot thread: \w*Error/);
  });
});
