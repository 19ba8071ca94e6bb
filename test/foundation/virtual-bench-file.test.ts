// The virtual-time bench file: it loads with every resource in-process, and a virtual clock beside a real
// socket or instrument is refused before anything opens (host time would leak into its verdicts).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../benches/kinds.ts';
import { loadBenchFile, parseBench } from '../../benches/load.ts';
import { ROOT } from './helpers.ts';

const FILE = join(ROOT, 'benches', 'emulator-virtual.yaml');

describe('virtual bench file', function () {
  it('loads: virtual clock, ISO 15118 on the in-memory link, GB/T on the in-process CAN bus', function () {
    const b = loadBenchFile(FILE);
    expect(b.clock.kind).to.equal('virtual');
    expect(b.resources.charger).to.include({ kind: 'emulated-mcs-charger', link: 'memory', tls: true });
    expect(b.resources.vehicle).to.include({ kind: 'iso15118-ev', memory: 'charger', tls: true });
    expect([b.resources['charger-can'].kind, b.resources['vehicle-can'].kind]).to.deep.equal(['virtual-can', 'virtual-can']);
  });

  it('refuses a virtual clock beside a real socket, naming the resource', function () {
    const text = readFileSync(FILE, 'utf8').replace('{ kind: virtual-can, channel: gbt }', '{ kind: socketcand-hub }');
    expect(() => parseBench(text, 'bench.yaml')).to.throw(
      /virtual clock only works when every resource is in-process \('charger-can' is socketcand-hub/,
    );
  });
});
