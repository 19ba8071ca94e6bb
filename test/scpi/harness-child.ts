// A stand-in for the harness process in killed-harness.test.ts: it opens the battery emulator over SCPI as
// a bench would (watchdog armed), closes its output and keeps logging until it is killed.
import { RealClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { Rp7900BatteryEmulator } from '../../drivers/scpi/rp7900.ts';
import { TcpScpiTransport } from '../../drivers/scpi/transport.ts';

const [port, watchdogS] = process.argv.slice(2).map(Number);
const clock = new RealClock();
const timeline = new Timeline({ clock });
const transport = await TcpScpiTransport.connect({ host: '127.0.0.1', port, clock, timeline, source: 'battery' });
const inst = new Rp7900BatteryEmulator({ name: 'battery', transport, clock, timeline });
await inst.open();
await inst.setWatchdog(watchdogS);
await inst.setBatteryVoltage(800);
await inst.setProtection({ ovpV: 900, ocpA: 35, uvpV: 600 });
await inst.setOutput(true);
await inst.startStreaming();
process.stdout.write('ready\n');
