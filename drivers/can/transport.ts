// One interface for every CAN transport (virtual bus, socketcand client, native SocketCAN). The three extend
// CanBusBase (can-bus-base.ts), which holds what they do alike; each adds only its wire.

import type { CanFrame } from './frame.ts';

export type CanListener = (frame: CanFrame) => void;

export interface CanTransport {
  /** Channel name as the bench calls it ('can0', 'gbt'). */
  readonly channel: string;
  /** Put one frame on the bus. Rejects with BenchFault when the bus is gone, InputError for a bad frame. */
  send(frame: CanFrame): Promise<void>;
  /** Receive every frame other nodes put on the bus (not our own); returns the unsubscribe function. */
  onFrame(listener: CanListener): () => void;
  close(): Promise<void>;
}
