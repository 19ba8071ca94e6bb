// The read-only doctor checks of the physical kinds that need no server: native SocketCAN (procfs/sysfs,
// faked here because CI machines rarely have AF_CAN) and the SCPI probe against a box that is not SCPI.

import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socketcanReadiness } from '../../benches/kinds/can.ts';
import { probeScpiIdentity } from '../../benches/kinds/scpi-reachable.ts';

function fakeSys(ifaces: Record<string, { type: string; flags: string; operstate: string }>, withCan = true) {
  const root = mkdtempSync(join(tmpdir(), 'mcs-sysfs-'));
  const procCan = join(root, 'proc-net-can');
  if (withCan) mkdirSync(procCan);
  const sysNet = join(root, 'class-net');
  for (const [name, f] of Object.entries(ifaces)) {
    mkdirSync(join(sysNet, name), { recursive: true });
    for (const [k, v] of Object.entries(f)) writeFileSync(join(sysNet, name, k), v + '\n');
  }
  return { procCan, sysNet };
}

describe('doctor checks of physical kinds without a server', function () {
  it('socketcan: AF_CAN, interface, CAN link type and admin-up, each with its fix', function () {
    const paths = fakeSys({
      can0: { type: '280', flags: '0x40081', operstate: 'up' },
      can1: { type: '280', flags: '0x80', operstate: 'down' },
      eth0: { type: '1', flags: '0x1003', operstate: 'up' },
    });
    expect(socketcanReadiness('can0', paths)).to.deep.equal({ ok: true, detail: 'CAN interface can0 up (up)' });
    const down = socketcanReadiness('can1', paths);
    expect(down).to.include({ ok: false, detail: 'interface can1 is down' });
    expect(down.fix).to.match(/^sudo ip link set can1 up type can bitrate 250000/);
    expect(socketcanReadiness('eth0', paths)).to.include({ ok: false, detail: "'eth0' is not a CAN interface (link type 1)" });
    expect(socketcanReadiness('can7', paths)).to.include({ ok: false, detail: "no network interface 'can7'" });
    const noCan = socketcanReadiness('can0', fakeSys({}, false));
    expect(noCan).to.include({ ok: false, detail: 'kernel CAN (AF_CAN) is not available on this machine' });
    expect(noCan.fix).to.match(/modprobe can can_raw.*socketcand/);
  });

  it('SCPI probe: a service that answers *IDN? with something that is not an identity is not the instrument', async function () {
    const server = createServer((s) => s.on('data', () => s.write('SSH-2.0-OpenSSH\n')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await probeScpiIdentity('battery', '127.0.0.1', port);
      expect(r.ok).to.equal(false);
      expect(r.detail).to.equal(`127.0.0.1:${port} answered *IDN? with 'SSH-2.0-OpenSSH', not 'vendor,model,serial,firmware'`);
      expect(r.fix).to.match(/is the SCPI instrument of resource 'battery'/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('SCPI probe: a port that accepts but never answers is reported, not waited on forever', async function () {
    const held: import('node:net').Socket[] = [];
    const server = createServer((s) => void held.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await probeScpiIdentity('pilot', '127.0.0.1', port, 200);
      expect(r.ok).to.equal(false);
      expect(r.detail).to.match(/accepted the connection but did not answer \*IDN\?/);
      expect(r.fix).to.match(/raw SCPI socket \(not telnet\/HiSLIP\)/);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('mcs-hil emulate dio', function () {
  it('serves the emulated DIO box until aborted, and a probe identifies it', async function () {
    const { dioServerCommand } = await import('../../emulator/pilot/cli.ts');
    const lines: string[] = [];
    const ac = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((r) => (listening = r));
    const done = dioServerCommand({ port: 0, out: (l) => (lines.push(l), l.startsWith('listening') && listening()), signal: ac.signal });
    await ready;
    const port = Number(/:(\d+)$/.exec(lines[0])![1]);
    const r = await probeScpiIdentity('pilot', '127.0.0.1', port);
    expect(r).to.include({ ok: true });
    expect(r.detail).to.match(/mcs-hil,Emulated DIO box/);
    ac.abort();
    await done;
    expect(lines[1]).to.match(/^DIO box stopped \(1 command; outputs never set\)/);
  });
});
