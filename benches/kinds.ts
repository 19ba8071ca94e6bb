// Every resource kind this build can open. A kind whose driver is not in this build is simply absent;
// a bench file naming it fails validation with the list of known kinds.
import { registerCanKinds } from './kinds/can.ts';
import { registerGbtBmsKind } from './kinds/gbt27930-bms.ts';
import { registerEmulatedGbtChargerKind } from './kinds/emulated-gbt-charger.ts';
import './kinds/emulated-interlock.ts';
import './kinds/emulated-mcs-charger.ts';
import './kinds/emulated-ccs-charger.ts';
import './kinds/ccs-ev.ts';
import { registerEmulatedBattery } from './kinds/emulated-battery.ts';
import './kinds/emulated-ce-id.ts';
import './kinds/iso15118-ev.ts';
import './kinds/scpi-battery-emulator.ts';
import './kinds/scpi-power-analyser.ts';
import './kinds/scpi-ce-id.ts';
import './kinds/v2g-link.ts';
import './kinds/plc-modem.ts';
import './kinds/plc-emulated-link.ts';
import './kinds/emulated-cp.ts';
import './kinds/scpi-cp.ts';

registerCanKinds();
registerEmulatedBattery();
registerEmulatedGbtChargerKind();
registerGbtBmsKind();
