import { expect } from 'chai';
import { RealClock } from '../../drivers/core/clock.ts';
import { UsageError } from '../../drivers/core/errors.ts';
import { TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import { scpiBatteryCommand } from '../../emulator/power/cli.ts';

describe('mcs-hil serve scpi-battery (scpiBatteryCommand)', function () {
  it('serves the emulated battery emulator on the given port until aborted', async function () {
    const ac = new AbortController();
    const lines: string[] = [];
    const port = 20000 + (process.pid % 20000);
    const done = scpiBatteryCommand({ port, signal: ac.signal, log: (l) => lines.push(l) });
    let t: TcpScpiTransport | undefined;
    for (let k = 0; k < 50 && !t; k++) {
      t = await TcpScpiTransport.connect({ host: '127.0.0.1', port, clock: new RealClock() }).catch(() => undefined);
      if (!t) await new Promise((r) => setTimeout(r, 20));
    }
    expect(await t!.query('*IDN?')).to.match(/Emulated RP7900-class/);
    await t!.close();
    ac.abort();
    await done;
    expect(lines[0]).to.include(`127.0.0.1:${port}`);
    expect(lines.at(-1)).to.equal('stopped');
  });

  it('serves the instrument class named by --class (its own dialect), and refuses a class it cannot emulate', async function () {
    const ac = new AbortController();
    const lines: string[] = [];
    const port = 20001 + (process.pid % 20000);
    const done = scpiBatteryCommand({ port, instrumentClass: 'hp-battery-emulator', signal: ac.signal, log: (l) => lines.push(l) });
    let t: TcpScpiTransport | undefined;
    for (let k = 0; k < 50 && !t; k++) {
      t = await TcpScpiTransport.connect({ host: '127.0.0.1', port, clock: new RealClock() }).catch(() => undefined);
      if (!t) await new Promise((r) => setTimeout(r, 20));
    }
    expect(await t!.query('*IDN?')).to.not.match(/RP7900/);
    await t!.close();
    ac.abort();
    await done;
    expect(lines[0]).to.include('hp-battery-emulator-class');
    const e = await scpiBatteryCommand({ port: 0, instrumentClass: 'no-such-unit', log: () => undefined }).catch((x) => x);
    expect(e).to.be.instanceOf(UsageError);
    expect((e as Error).message)
      .to.include("'no-such-unit'")
      .and.include('rp7900');
  });

  it('refuses a port that is not a port', async function () {
    const e = await scpiBatteryCommand({ port: 'x', log: () => undefined }).catch((x) => x);
    expect(e).to.be.instanceOf(UsageError);
  });
});
