// What the charger told the vehicle about itself, read from the run's timeline as the vehicle side
// received it (the V2G client's and the BMS's received messages, never the emulator's own records):
// identity, protocols, services, control modes and advertised ratings.

import { readFileSync } from 'node:fs';

export interface WireFacts {
  identity: Record<string, string>;
  /** Declared-protocol name → what the wire showed of it. */
  protocols: Record<string, string>;
  services?: string;
  controlModes?: string;
  iso?: { maxVoltageV?: number; maxCurrentA?: number; maxPowerKw?: number };
  gbt?: { maxVoltageV?: number; maxCurrentA?: number };
}

/** ISO 15118-20 Table "ServiceID" names. */
const SERVICE_NAMES: Record<number, string> = {
  1: 'AC',
  2: 'DC',
  3: 'WPT',
  4: 'DC_ACDP',
  5: 'AC_BPT',
  6: 'DC_BPT',
  7: 'DC_ACDP_BPT',
  8: 'MCS',
  9: 'MCS_BPT',
};
const CONTROL_MODES: Record<number, string> = { 1: 'Scheduled', 2: 'Dynamic' };
/** Sources on the vehicle side of the bench (the EVCC, the BMS). */
const VEHICLE_SIDE = new Set(['vehicle', 'bms']);

interface Ev {
  kind: string;
  source: string;
  data: { dir?: string; message?: string; code?: string; doc?: Record<string, Record<string, unknown>>; values?: Record<string, unknown> };
}

function rational(v: unknown): number | undefined {
  const r = v as { Value?: number; Exponent?: number } | undefined;
  return r && typeof r.Value === 'number' ? r.Value * 10 ** (r.Exponent ?? 0) : undefined;
}

export function readWireFacts(timelineFile: string): WireFacts {
  const facts: WireFacts = { identity: {}, protocols: {} };
  const services = new Set<string>();
  const modes = new Set<string>();
  let text: string;
  try {
    text = readFileSync(timelineFile, 'utf8');
  } catch {
    return facts;
  }
  for (const line of text.split('\n')) {
    // Cheap filter before parsing: only received V2G / GB/T messages of the vehicle side matter.
    if (!line.includes('"dir":"rx"') || !(line.includes('"kind":"v2g"') || line.includes('"kind":"gbt"'))) continue;
    let e: Ev;
    try {
      e = JSON.parse(line) as Ev;
    } catch {
      continue;
    }
    if (!VEHICLE_SIDE.has(e.source)) continue;
    if (e.kind === 'v2g') v2gFact(e, facts, services, modes);
    else gbtFact(e, facts);
  }
  if (services.size) facts.services = [...services].join(', ');
  if (modes.size) facts.controlModes = [...modes].join(', ');
  return facts;
}

function v2gFact(e: Ev, f: WireFacts, services: Set<string>, modes: Set<string>): void {
  const name = e.data.message ?? '';
  const body = e.data.doc?.[name];
  if (!body) return;
  if (name === 'supportedAppProtocolRes' && String(body.ResponseCode).startsWith('OK')) {
    f.protocols['iso15118-20-mcs'] = `supportedAppProtocol ${body.ResponseCode} (SchemaID ${body.SchemaID})`;
  } else if (name === 'SessionSetupRes' && body.EVSEID) {
    f.identity['EVSEID (ISO 15118-20 SessionSetupRes)'] = String(body.EVSEID);
  } else if (name === 'ServiceDiscoveryRes') {
    const list = (body.EnergyTransferServiceList as { Service?: { ServiceID: number }[] } | undefined)?.Service ?? [];
    for (const s of list) services.add(`${s.ServiceID} ${SERVICE_NAMES[s.ServiceID] ?? '?'}`);
  } else if (name === 'ServiceDetailRes') {
    const sets =
      (body.ServiceParameterList as { ParameterSet?: { Parameter?: { '@Name': string; intValue?: number }[] }[] } | undefined)
        ?.ParameterSet ?? [];
    for (const set of sets)
      for (const p of set.Parameter ?? [])
        if (p['@Name'] === 'ControlMode' && p.intValue !== undefined) modes.add(CONTROL_MODES[p.intValue] ?? String(p.intValue));
  } else if (name === 'DC_ChargeParameterDiscoveryRes' && !f.iso) {
    const m = Object.values(body).find((v) => v && typeof v === 'object' && 'EVSEMaximumChargeCurrent' in (v as object)) as
      Record<string, unknown> | undefined;
    if (m) {
      const w = rational(m.EVSEMaximumChargePower);
      f.iso = {
        maxVoltageV: rational(m.EVSEMaximumVoltage),
        maxCurrentA: rational(m.EVSEMaximumChargeCurrent),
        maxPowerKw: w === undefined ? undefined : w / 1000,
      };
    }
  }
}

function gbtFact(e: Ev, f: WireFacts): void {
  const v = e.data.values ?? {};
  if (e.data.code === 'CHM' && !f.protocols.gbt27930) f.protocols.gbt27930 = `CHM version ${v.versionMajor}.${v.versionMinor}`;
  else if (e.data.code === 'CRM' && v.chargerNumber !== undefined) {
    f.identity['charger number / region (GB/T 27930 CRM)'] = `${v.chargerNumber} / ${v.regionCode}`;
    f.protocols.gbt27930 ??= 'CRM seen (no CHM)';
  } else if (e.data.code === 'CML' && !f.gbt)
    f.gbt = { maxVoltageV: v.maxOutputVoltageV as number, maxCurrentA: v.maxOutputCurrentA as number };
}
