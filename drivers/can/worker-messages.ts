// What the main thread and a bus's worker thread (worker-thread.ts) say to each other over the MessagePort.
// Times cross the thread boundary as process.hrtime ns (one monotonic clock for every thread of the process);
// the main thread maps them onto the bench clock (worker-can.ts).

import type { CanFrame } from './frame.ts';

/** A frame as it crosses threads: the frame's own fields without the receive stamps (each side stamps on its own
 *  clock), the payload as a transferable-free byte array. */
export type WireFrame = Omit<CanFrame, 't' | 'busT'>;

/** Main → worker. */
export type ToWorker =
  | { op: 'send'; frame: WireFrame }
  /** Start (or restart) a periodic frame: sends at startHr + (phase + k·period) wall ns, absolute. */
  | { op: 'periodic'; name: string; periodNs: number; phaseNs: number; startHr: number; frame: WireFrame; count?: number }
  | { op: 'periodic-update'; name: string; frame: WireFrame }
  | { op: 'periodic-stop'; name: string }
  | { op: 'close' };

/** Worker → main. */
export type FromWorker =
  /** detail: what the wire got from the system (real-time policy), for the run environment. */
  | { op: 'open'; detail?: string }
  | { op: 'open-failed'; why: string; fix: string }
  /** Frames of one socket read, stamped (hr ns) as soon as their bytes reached the worker; busUs = the server's epoch µs. */
  | { op: 'rx'; hr: number; frames: { frame: WireFrame; busUs: number }[] }
  /** A periodic send went to the socket at hr (due dueHr), k-th slot. */
  | { op: 'periodic-sent'; name: string; k: number; hr: number; dueHr: number; frame: WireFrame }
  | { op: 'periodic-done'; name: string }
  | { op: 'bad-input'; message: string }
  | { op: 'server-error'; message: string }
  | { op: 'lost'; why: string }
  | { op: 'closed' };

/** Settings the worker starts with (workerData). */
export interface WorkerLinkSettings {
  host: string;
  port: number;
  bus: string;
  connectTimeoutMs: number;
  /** Run the worker thread under SCHED_FIFO at this priority (where permitted). */
  fifoPriority?: number;
}
