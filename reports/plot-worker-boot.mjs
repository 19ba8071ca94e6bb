// Entry of the plot thread (plot-thread.ts). A worker does not inherit the tsx loader the main thread registered
// through its API (bin/mcs-hil.mjs), so it registers its own before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./plot-worker.ts');
