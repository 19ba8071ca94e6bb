// A GB/T node's link on a bench CAN resource, shared by the BMS and the emulated-charger kinds: its addresses
// from the bench file (the standard's by default), its own J1939 transport protocol, events under the resource name.

import { J1939Tp } from '../../drivers/can/j1939-tp.ts';
import type { CanTransport } from '../../drivers/can/transport.ts';
import { BMS_ADDRESS, CHARGER_ADDRESS } from '../../drivers/gbt27930/ids.ts';
import { GbtLink } from '../../drivers/gbt27930/link.ts';
import type { OpenContext } from '../registry.ts';

export type GbtRole = 'bms' | 'charger';

/** [own address, peer address] by default. */
const ADDRESSES: Record<GbtRole, readonly [number, number]> = {
  bms: [BMS_ADDRESS, CHARGER_ADDRESS],
  charger: [CHARGER_ADDRESS, BMS_ADDRESS],
};

export interface GbtLinkSettings {
  sa?: number;
  da?: number;
  /** Gap between TP.DT packets (ms); the transport protocol's own default when absent. */
  dtGapMs?: number;
}

/** The bench-file properties of a node's addresses. */
export function gbtAddressProperties(role: GbtRole) {
  const [sa, da] = ADDRESSES[role];
  return {
    sa: { type: 'integer', minimum: 0, maximum: 253, default: sa },
    da: { type: 'integer', minimum: 0, maximum: 253, default: da },
  };
}

/** The link and its transport protocol: closed by the node's resource (gbtNodeResource), link first. */
export function openGbtBenchLink(name: string, role: GbtRole, can: CanTransport, settings: GbtLinkSettings, ctx: OpenContext) {
  const sa = settings.sa ?? ADDRESSES[role][0];
  const da = settings.da ?? ADDRESSES[role][1];
  const { clock, timeline } = ctx;
  const tp = new J1939Tp({ transport: can, clock, sa, timeline, source: `${name}-tp`, dtGapMs: settings.dtGapMs });
  return { sa, da, tp, link: new GbtLink({ transport: can, clock, timeline, source: name, sa, da, tp }) };
}

/** A GB/T node (the BMS session, the emulated charger) that brings itself to its safe state and closes. */
export interface GbtNode {
  safeState(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The safe-state and close ends of a node's resource: the node's own safe state, which is also the one
 * primitive the bench's safe state asks of it; closed top-down (the node, its link, the transport protocol).
 */
export function gbtNodeResource<P extends string>(node: GbtNode, stack: { link: GbtLink; tp: J1939Tp }, primitive: P) {
  return {
    async safeState() {
      await node.safeState();
    },
    safeStatePrimitives: { [primitive]: () => node.safeState() } as Record<P, () => Promise<void>>,
    async close() {
      await node.close();
      await stack.link.close();
      stack.tp.close();
    },
  };
}
