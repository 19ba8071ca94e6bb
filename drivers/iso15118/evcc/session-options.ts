// What an EVCC session is built from: the clock, timeline, codec and link it works on, the vehicle's
// timers, limits and request model, and its choices (services, control mode, offered protocols).

import type { Clock } from '../../core/clock.ts';
import type { Limits } from '../../core/limits.ts';
import type { Timeline } from '../../core/timeline.ts';
import type { MessageCodec } from './codec.ts';
import type { MessageLink } from './link.ts';
import type { ControlMode } from './request-builders.ts';
import type { SessionTimers } from './timers.ts';
import type { EvPowerPath, EvRequestModel } from './vehicle-model.ts';

export interface EvccSessionOptions {
  clock: Clock;
  timeline: Timeline;
  /** Timeline source (the vehicle resource's name). */
  source: string;
  codec: MessageCodec;
  link: MessageLink;
  timers: SessionTimers;
  limits: Limits;
  model: EvRequestModel;
  /** Energy services in order of preference (default [MCS, MCS_BPT, DC]). */
  servicePreference?: number[];
  controlMode?: ControlMode;
  /** EVCCID (the vehicle's MAC or VIN-like identifier). */
  evccId?: string;
  /** Namespaces offered in supportedAppProtocolReq (default -20 DC). */
  appProtocols?: Array<{
    ProtocolNamespace: string;
    VersionNumberMajor: number;
    VersionNumberMinor: number;
    SchemaID: number;
    Priority: number;
  }>;
  /** The vehicle's battery/contactors/inlet measurement (a battery emulator on a bench). */
  power?: EvPowerPath;
  /** Clock ms the TCP/TLS connection was established: V2G_EVCC_CommunicationSetup_Timeout runs from here to SessionSetupRes (Table 221). */
  communicationSetupStartMs?: number;
  /** The same instant in clock ns, for the evidence (the charger's communication setup is timed from it). */
  establishedAtNs?: number;
}
