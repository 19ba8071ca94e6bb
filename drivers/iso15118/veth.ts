// TypeScript face of scripts/veth-link.sh: the emulated 10BASE-T1S link of the emulator bench.

import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BenchFault } from '../core/errors.ts';
import { readLinkState } from './link.ts';

const run = promisify(execFile);

export const VETH_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'veth-link.sh');

export interface VethLinkSpec {
  /** Vehicle (EVCC) end; default mcs-ev0. */
  evInterface?: string;
  /** Charger (SECC) end; default mcs-evse0. */
  chargerInterface?: string;
  /** Link-local addresses (no scope); default MCS_EV_LL / MCS_EVSE_LL from the environment, else fe80::2 / fe80::1. */
  evAddress?: string;
  chargerAddress?: string;
}

export interface VethLink {
  evInterface: string;
  chargerInterface: string;
  /** Fixed link-local addresses the script gives each end (no scope). */
  evAddress: string;
  chargerAddress: string;
  /** The script's own words, for the timeline. */
  output: string;
}

export const DEFAULT_EV_INTERFACE = 'mcs-ev0';
export const DEFAULT_CHARGER_INTERFACE = 'mcs-evse0';
/** Must match the script's defaults (EVSE = PLCA node 0 → ::1, EV = node 1 → ::2). */
export const VETH_EV_ADDRESS = 'fe80::2';
export const VETH_CHARGER_ADDRESS = 'fe80::1';

/**
 * The addresses a pair gets: the spec's, else MCS_EV_LL / MCS_EVSE_LL (parallel runs give each pair its
 * own, so pcaps and logs of different runs cannot be confused), else the fixed defaults.
 */
export function vethAddresses(spec: VethLinkSpec = {}): { evAddress: string; chargerAddress: string } {
  return {
    evAddress: spec.evAddress ?? (process.env.MCS_EV_LL || VETH_EV_ADDRESS),
    chargerAddress: spec.chargerAddress ?? (process.env.MCS_EVSE_LL || VETH_CHARGER_ADDRESS),
  };
}

async function script(
  action: 'up' | 'down' | 'status' | 'ev-down' | 'ev-up',
  spec: VethLinkSpec,
  signal?: AbortSignal,
): Promise<{ code: number; out: string }> {
  const args = [action, spec.evInterface ?? DEFAULT_EV_INTERFACE, spec.chargerInterface ?? DEFAULT_CHARGER_INTERFACE];
  try {
    const a = vethAddresses(spec);
    const r = await run(VETH_SCRIPT, args, { env: { ...process.env, MCS_EV_LL: a.evAddress, MCS_EVSE_LL: a.chargerAddress }, signal });
    return { code: 0, out: (r.stdout + r.stderr).trim() };
  } catch (e) {
    // Interrupted (Ctrl-C): the script was killed; the run stops with the signal's reason.
    if (signal?.aborted) throw signal.reason;
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT' || err.code === 'EACCES')
      throw new BenchFault(`cannot run ${VETH_SCRIPT} (${err.code}); is the checkout complete and the script executable?`);
    return { code: typeof err.code === 'number' ? err.code : 2, out: `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message };
  }
}

/** Create (if missing) and configure the veth pair; BenchFault with the script's explanation when it cannot. */
export async function ensureVethLink(spec: VethLinkSpec = {}, signal?: AbortSignal): Promise<VethLink> {
  const r = await script('up', spec, signal);
  if (r.code !== 0) throw new BenchFault(`the emulated link could not be brought up:\n${r.out}`);
  return describe(spec, r.out);
}

/** Check without changing anything; BenchFault (with the fix) when the pair is not up. */
export async function checkVethLink(spec: VethLinkSpec = {}): Promise<VethLink> {
  const r = await script('status', spec);
  if (r.code !== 0) throw new BenchFault(`the emulated link is not up:\n${r.out}`);
  return describe(spec, r.out);
}

export async function removeVethLink(spec: VethLinkSpec = {}): Promise<void> {
  const r = await script('down', spec);
  if (r.code !== 0) throw new BenchFault(`the emulated link could not be removed:\n${r.out}`);
}

/**
 * Take the vehicle end down (up = false) or back up: the emulated link loss. The link monitor of a
 * veth-link resource records it; open TCP connections see it as silence, then errors.
 */
export async function setVethEvEnd(up: boolean, spec: VethLinkSpec = {}): Promise<void> {
  const r = await script(up ? 'ev-up' : 'ev-down', spec);
  if (r.code !== 0) throw new BenchFault(`the emulated link's vehicle end could not be taken ${up ? 'up' : 'down'}:\n${r.out}`);
}

export async function vethLinkStatus(spec: VethLinkSpec = {}): Promise<{ up: boolean; output: string }> {
  const r = await script('status', spec);
  return { up: r.code === 0, output: r.out };
}

function describe(spec: VethLinkSpec, output: string): VethLink {
  const evInterface = spec.evInterface ?? DEFAULT_EV_INTERFACE;
  const chargerInterface = spec.chargerInterface ?? DEFAULT_CHARGER_INTERFACE;
  const want = vethAddresses(spec);
  // The address we asked for when it is there; else what is really on the interface (an older pair may carry other addresses).
  const ev = readLinkState(evInterface).linkLocal;
  const ch = readLinkState(chargerInterface).linkLocal;
  return {
    evInterface,
    chargerInterface,
    evAddress: ev.includes(want.evAddress) ? want.evAddress : (ev[0] ?? want.evAddress),
    chargerAddress: ch.includes(want.chargerAddress) ? want.chargerAddress : (ch[0] ?? want.chargerAddress),
    output,
  };
}
