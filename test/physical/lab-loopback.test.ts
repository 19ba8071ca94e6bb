// `mcs-hil doctor` on a physical bench file whose boxes are our emulated servers on loopback: every
// network resource kind's reachability check runs for real (TCP, *IDN?, socketcand greeting, netdev state),
// and a stopped box turns into exit code 1 with a line that says what to fix. The same bench file also
// opens whole (vehicle, BMS, pilot, battery emulators) and closes through the safe-state path.

import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { RealClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { ensureVethLink, removeVethLink } from '../../drivers/iso15118/veth.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import '../../benches/kinds.ts';
import type { CeIdPilotResource } from '../../benches/kinds/emulated-ce-id.ts';
import { loadBenchFile, PROJECT_ROOT } from '../../benches/load.ts';
import { openBench } from '../../benches/open.ts';
import { startEmulatedDioServer, type EmulatedDioServer } from '../../emulator/pilot/scpi-dio-server.ts';
import { startEmulatedScpiServer, type EmulatedScpiServer } from '../../emulator/power/scpi-server.ts';

const BENCH = 'test/fixtures/benches/lab-loopback.yaml';
const CLI = join(PROJECT_ROOT, 'bin', 'mcs-hil.mjs');
// The ports and the interface are fixed by the bench file.
const PORTS = { battery: 45025, dio: 45026, gbtBattery: 45027, hub: 45029 };
const LINK = { evInterface: 'mcs-lab0', chargerInterface: 'mcs-labse0' };

function doctor(): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'doctor', '--bench', BENCH], { cwd: PROJECT_ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, out: stdout + stderr });
    });
  });
}

function line(out: string, resource: string): string {
  return out.split('\n').find((l) => l.includes(`resource ${resource} (`)) ?? `(no line for ${resource})`;
}

function startHub(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, 'can', 'hub', '--port', String(PORTS.hub), '--buses', 'can0'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('listening on')) resolve(p);
    });
    p.stderr!.on('data', (d) => (out += String(d)));
    p.once('exit', (code) => reject(new Error(`mcs-hil can hub exited (${code}) before listening: ${out}`)));
  });
}

describe('lab-loopback.yaml: the physical bench kinds against emulated boxes on loopback', function () {
  const clock = new RealClock();
  const timeline = new Timeline({ clock });
  let battery: EmulatedScpiServer | undefined;
  let gbtBattery: EmulatedScpiServer | undefined;
  let dio: EmulatedDioServer | undefined;
  let hub: ChildProcess | undefined;

  before(async function () {
    try {
      await ensureVethLink(LINK);
    } catch (e) {
      // Creating a netdev needs root (CI is root); say so rather than fail on an unrelated line.
      this.skip();
      void e;
    }
    battery = await startEmulatedScpiServer({ clock, timeline, port: PORTS.battery });
    gbtBattery = await startEmulatedScpiServer({ clock, timeline, port: PORTS.gbtBattery });
    dio = await startEmulatedDioServer({ port: PORTS.dio });
    hub = await startHub();
  });

  after(async function () {
    await battery?.close();
    await gbtBattery?.close();
    await dio?.close();
    if (hub && hub.exitCode === null) {
      const exited = new Promise((r) => hub!.once('exit', r));
      hub.kill('SIGINT');
      await exited;
    }
    await removeVethLink(LINK).catch(() => undefined);
  });

  it('finds every box reachable (exit 0) and changes nothing on them', async function () {
    const r = await doctor();
    expect(r.code, r.out).to.equal(0);
    expect(line(r.out, 'ev-link')).to.match(/^ok\s+resource ev-link \(ethernet-link\): mcs-lab0 up, fe80::/);
    expect(line(r.out, 'pilot')).to.match(/^ok\s+resource pilot \(scpi-ce-id\): 127\.0\.0\.1:45026: mcs-hil,Emulated DIO box,/);
    expect(line(r.out, 'battery')).to.match(/^ok\s+resource battery \(scpi-battery-emulator\): 127\.0\.0\.1:45025: /);
    expect(line(r.out, 'gbt-battery')).to.match(/^ok\s+resource gbt-battery \(scpi-battery-emulator\): 127\.0\.0\.1:45027: /);
    expect(line(r.out, 'gbt-can')).to.match(
      /^ok\s+resource gbt-can \(socketcand\): socketcand server at 127\.0\.0\.1:45029 greets with < hi >/,
    );
    expect(r.out).to.match(/all good/);
    // A reachability check only asks: nothing was written to the boxes.
    expect(dio!.received).to.deep.equal(['*IDN?']);
    expect(battery!.received).to.deep.equal(['*IDN?']);
    expect(battery!.instrument.outputOn).to.equal(false);
  });

  it('opens the whole physical bench against the boxes, and closes it through the safe-state path', async function () {
    const config = loadBenchFile(join(PROJECT_ROOT, BENCH));
    const benchTimeline = new Timeline({ clock });
    const bench = await openBench({ config, timeline: benchTimeline, runDir: mkdtempSync(join(tmpdir(), 'mcs-lab-loopback-')) });
    try {
      const opened = benchTimeline
        .query({ kind: 'run' })
        .filter((e) => e.data.event === 'resource-open')
        .map((e) => e.source);
      expect(opened.sort()).to.deep.equal(Object.keys(config.resources).sort());
      const pilot = bench.resource<CeIdPilotResource>('pilot');
      expect(pilot.identity!().pilot).to.match(/^mcs-hil Emulated DIO box/);
      expect(pilot.id()).to.equal('connected');
      await pilot.setCe('C');
      expect(dio!.settings.get('DIG:OUT:PORT 1')).to.equal('4');
    } finally {
      await bench.close('test');
    }
    expect(dio!.settings.get('DIG:OUT:PORT 1')).to.equal('2'); // safe state: B
    expect(battery!.instrument.outputOn).to.equal(false);
    expect(gbtBattery!.instrument.outputOn).to.equal(false);
  });

  it('a stopped box gives exit 1 and a line that says what to fix; the others stay ok', async function () {
    await dio!.close();
    dio = undefined;
    const r = await doctor();
    expect(r.code, r.out).to.equal(1);
    const pilot = line(r.out, 'pilot');
    expect(pilot).to.match(/^FIX\s+resource pilot \(scpi-ce-id\): no SCPI socket at 127\.0\.0\.1:45026 /);
    expect(pilot).to.match(
      /→ power the instrument and check it is on the LAN at 127\.0\.0\.1 .*port \(usually 5025\) must match the bench file's port/,
    );
    for (const other of ['ev-link', 'battery', 'gbt-can', 'gbt-battery']) expect(line(r.out, other)).to.match(/^ok\s/);
    expect(r.out).to.match(/1 thing\(s\) to fix/);
  });
});
