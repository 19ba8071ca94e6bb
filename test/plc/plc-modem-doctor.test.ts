// A `plc-modem` bench where the process may not open raw sockets (no root, no CAP_NET_RAW) or names an
// interface that is not there: `mcs-hil doctor` says so, with the fix, and exits non-zero. Raw-socket
// permission is taken away with util-linux setpriv (dropping CAP_NET_RAW), as a non-root user would lack it.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../benches/kinds.ts';
import { resourceKind, type BenchConfig } from '../../benches/registry.ts';
import { upTestVethPair } from '../support/veth-pair.ts';
import { CLI, ROOT, tmp } from '../foundation/helpers.ts';

function benchFile(iface: string): string {
  const file = join(tmp('mcs-plc-doctor-'), 'plc-lab.yaml');
  const resources = `resources:\n  plc: { kind: plc-modem, interface: ${iface} }\n`;
  const rest = 'vehicle: { profile: truck-lfp-620kwh }\nlimits: { profile: iso15118-3 }\nsafety: { interlock: false }\n';
  const head =
    'name: plc-lab\nclock: { kind: real, rate: 1 }\n' +
    'charger:\n  ratings: { maxVoltageV: 1000, maxCurrentA: 500, maxPowerW: 400000 }\n  protocols: [din70121]\n';
  writeFileSync(file, head + resources + rest);
  return file;
}

function doctor(file: string, dropRawSockets: boolean): { status: number | null; out: string } {
  const node = [process.execPath, CLI, 'doctor', '--bench', file];
  const [cmd, ...args] =
    dropRawSockets && process.getuid?.() === 0 ? ['setpriv', '--inh-caps=-net_raw', '--bounding-set=-net_raw', '--', ...node] : node;
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('plc-modem at doctor', function () {
  it('without raw-socket permission: a clear finding with the fix, exit non-zero', async function () {
    if (process.getuid?.() !== 0) this.skip(); // the interface comes from the veth script, which needs root
    const pair = await upTestVethPair({ evInterface: 'plc-tev0', chargerInterface: 'plc-tevse0' });
    let r: ReturnType<typeof doctor>;
    try {
      r = doctor(benchFile('plc-tev0'), true);
    } finally {
      await pair.remove();
    }
    expect(r.status).to.not.equal(0);
    expect(r.out).to.match(/resource plc \(plc-modem\): no permission to open raw sockets on 'plc-tev0'/);
    expect(r.out).to.contain('setcap cap_net_raw');
  });

  it('an interface that is not there: named, with what to check (the same finding, in process)', async function () {
    const kind = resourceKind('plc-modem')!;
    const r = await kind.checkReachable!('plc', { interface: 'plcnope0' }, {} as BenchConfig);
    expect(r.ok).to.equal(false);
    expect(r.detail).to.equal("interface 'plcnope0' does not exist");
    expect(r.fix).to.contain('ip link');
  });
});
