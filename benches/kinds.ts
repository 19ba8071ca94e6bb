// Every resource kind this build can open. A kind whose driver is not in this build is simply absent;
// a bench file naming it fails validation with the list of known kinds.
import './emulator/interlock.ts';
