// Child process for the second-client test: `node --import tsx test/mcs/emulate-child.ts BENCH [FAULT]`
// runs emulateCommand (what `mcs-hil emulate --bench BENCH` calls) until SIGTERM.
import { emulateCommand } from '../../benches/emulate.ts';

const [benchFile, fault] = process.argv.slice(2);
process.exitCode = await emulateCommand({ benchFile, faults: fault ? [fault] : [] });
