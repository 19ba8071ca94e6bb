// The vehicle's link records a peer encoder's EXI deviation as an observation (the 'v2g' event carries
// exiDeviations) plus a timeline warning 'peer EXI deviation: …', and the message still decodes.

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { RealClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { loadMessageCodec } from '../../drivers/iso15118/evcc/codec.ts';
import { memoryLinkPair } from '../../drivers/iso15118/evcc/link.ts';
import { MessageDecorator } from '../../drivers/iso15118/evcc/record.ts';
import { FIXTURE } from './support/c-loop-fixtures.ts';
import { fromHex } from './support/vectors.ts';

const CM_PAYLOAD = 0x8002;
type FixtureVector = { cHex: string; strictHex: string; element: string; document: object };
const vector = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { vectors: FixtureVector[] }).vectors[0];

async function receiveOnVehicle(hex: string) {
  const clock = new RealClock();
  const timeline = new Timeline({ clock });
  const [ev, charger] = memoryLinkPair(clock, { timeline, ev: 'ev', charger: 'charger' });
  const decorator = new MessageDecorator(await loadMessageCodec('exi'), clock, 'memory', true);
  ev.decorate = decorator.decorate;
  const payload = fromHex(hex);
  await charger.send(CM_PAYLOAD, payload);
  // The bound only ends a broken test; the frame is already in flight.
  const r = await ev.receive(60_000);
  ev.abort();
  charger.abort();
  return { r, timeline, decorator };
}

describe('EXI deviation of the charger seen on the vehicle link', function () {
  it('a libcbv2g-style ServiceDiscoveryRes decodes, with the deviation on its v2g event and a warning', async function () {
    const { r, timeline } = await receiveOnVehicle(vector.cHex);
    expect(r.kind).to.equal('frame');
    const v2g = timeline.query({ kind: 'v2g', source: 'ev' }).filter((e) => e.data.dir === 'rx');
    expect(v2g).to.have.length(1);
    expect(v2g[0].data.message).to.equal('ServiceDiscoveryRes');
    expect(v2g[0].data.doc).to.deep.equal(vector.document);
    const devs = v2g[0].data.exiDeviations as Array<{ element: string; found: object }>;
    expect(devs.map((d) => d.element)).to.deep.equal([vector.element]);
    const warnings = timeline.query({ kind: 'warning', source: 'ev' });
    expect(warnings).to.have.length(1);
    expect(warnings[0].data.message).to.match(/^peer EXI deviation: ServiceDiscoveryRes\.EnergyTransferServiceList: after 8 Service/);
  });

  it('the same message in EXI 1.0 form leaves no deviation and no warning', async function () {
    const { r, timeline } = await receiveOnVehicle(vector.strictHex);
    expect(r.kind).to.equal('frame');
    const v2g = timeline.query({ kind: 'v2g', source: 'ev' }).filter((e) => e.data.dir === 'rx');
    expect(v2g[0].data.doc).to.deep.equal(vector.document);
    expect(v2g[0].data).to.not.have.property('exiDeviations');
    expect(timeline.query({ kind: 'warning' })).to.deep.equal([]);
  });
});
