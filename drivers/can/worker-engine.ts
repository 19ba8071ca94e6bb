// What runs a socketcand wire off the main event loop, for WorkerSocketcandCan (worker-can.ts): a worker
// thread of this process (worker-thread.ts, always available) or the native real-time helper (rt-engine.ts,
// when built). Both take the same commands and report in the same messages (worker-messages.ts).

import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerLinkSettings } from './worker-messages.ts';

export interface WireEngineEvents {
  message(m: FromWorker): void;
  /** The engine itself went away (thread or process ended) while the link was open. */
  gone(why: string, cause?: unknown): void;
}

export interface WireEngine {
  /** 'worker thread' or 'native real-time helper': shown in the endpoint and the run environment. */
  readonly name: string;
  /** What the engine got from the system (real-time policy, stamp source); empty when nothing to say. */
  readonly detail: string;
  post(m: ToWorker): void;
  /** Stop the engine (after it reported 'closed', or to abandon it). */
  terminate(): Promise<void>;
}

export class WorkerThreadEngine implements WireEngine {
  readonly name = 'worker thread';
  detail = '';
  private readonly worker: Worker;
  private exited = false;

  constructor(settings: WorkerLinkSettings, events: WireEngineEvents) {
    this.worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: settings });
    this.worker.on('message', (m: FromWorker) => {
      if (m.op === 'open' && m.detail) this.detail = m.detail;
      events.message(m);
    });
    this.worker.on('error', (err) => events.gone(`worker thread failed: ${err.message}`, err));
    this.worker.on('exit', () => {
      this.exited = true;
      events.gone('worker thread exited');
    });
  }

  post(m: ToWorker): void {
    if (!this.exited) this.worker.postMessage(m);
  }

  async terminate(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }
}
