// A test's attachments come only from the ports its body used: with both emulated chargers on one bench, an
// ISO 15118 test gets no candump log or GB/T session just because the GB/T charger kept talking meanwhile.
import { expect } from 'chai';
import type { Bench } from '../../benches/bench.ts';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import { eventsOfUsedPorts } from '../../runner/ports-used.ts';

// Only the bench file matters here: which resource is the vehicle's and which an emulated charger's.
const bench = {
  config: {
    resources: {
      vehicle: { kind: 'iso15118-ev' },
      charger: { kind: 'emulated-mcs-charger' },
      'charger-can': { kind: 'socketcand', hub: 'can-hub', bus: 'gbt' },
      'vehicle-can': { kind: 'socketcand', hub: 'can-hub', bus: 'gbt' },
      'gbt-charger': { kind: 'emulated-gbt-charger', can: 'charger-can' },
      bms: { kind: 'gbt27930-bms', can: 'vehicle-can' },
    },
  },
} as unknown as Bench;

let seq = 0;
const ev = (kind: string, source: string, dir?: string): TimelineEvent =>
  ({ seq: ++seq, t: seq, kind, source, data: { dir } }) as TimelineEvent;

describe('attachments by the ports a test used', function () {
  const idle = [ev('v2g', 'vehicle', 'tx'), ev('can', 'vehicle-can', 'rx'), ev('gbt', 'bms', 'rx')]; // the idle check
  const bodyStart = seq;

  it('an ISO 15118 test keeps its V2G messages and drops the GB/T traffic it only overheard', function () {
    const body = [
      ev('v2g', 'vehicle', 'tx'),
      ev('v2g', 'charger', 'rx'),
      ev('can', 'charger-can', 'tx'),
      ev('gbt', 'gbt-charger', 'tx'),
      ev('samples', 'battery'),
    ];
    const kept = eventsOfUsedPorts(bench, [...idle, ...body], bodyStart).map((e) => e.kind);
    expect(kept).to.not.include.members(['can', 'gbt']);
    expect(kept).to.include.members(['v2g', 'samples']);
  });

  it('a GB/T test keeps its frames and drops the SDP of the idle check', function () {
    const body = [ev('can', 'vehicle-can', 'tx'), ev('gbt', 'bms', 'tx'), ev('j1939', 'bms', 'tx')];
    const kept = eventsOfUsedPorts(bench, [...idle, ...body], bodyStart).map((e) => e.kind);
    expect(kept).to.not.include('v2g');
    expect(kept).to.include.members(['can', 'gbt', 'j1939']);
  });

  it('a test whose body used no port (broken at its precondition) keeps everything', function () {
    const events = [...idle, ev('test', 'runner')];
    expect(eventsOfUsedPorts(bench, events, bodyStart)).to.deep.equal(events);
  });
});
