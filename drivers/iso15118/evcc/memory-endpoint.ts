// In-process "link" between a vehicle and an emulated charger in the same process, without sockets:
// the charger registers an endpoint under its resource name, a vehicle configured with
// `memory: <charger>` connects to it. For unit tests and benches without root (no veth link).

import type { TLSSocket } from 'node:tls';
import type { MemoryTlsClient } from '../memory-tls.ts';
import type { MessageLink } from './link.ts';

export interface MemoryEndpoint {
  /** Open a new connection; returns the vehicle's end (the charger serves its end itself). */
  connect(evSource: string): MessageLink;
  /** The same over TLS (memory-tls.ts): the vehicle's link and TLS socket once its handshake is done. */
  connectTls(evSource: string, client: MemoryTlsClient): Promise<{ link: MessageLink; socket: TLSSocket }>;
}

const endpoints = new Map<string, MemoryEndpoint>();

export function registerMemoryEndpoint(name: string, ep: MemoryEndpoint): void {
  endpoints.set(name, ep);
}

export function unregisterMemoryEndpoint(name: string, ep: MemoryEndpoint): void {
  if (endpoints.get(name) === ep) endpoints.delete(name);
}

export function memoryEndpoint(name: string): MemoryEndpoint | undefined {
  return endpoints.get(name);
}
