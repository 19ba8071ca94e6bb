// How one V2G message goes on the timeline (kind 'v2g'): decoded JSON + the whole V2GTP frame in hex,
// direction, payload type, which codec coded it, and for a response the time since its request. Both
// the EVCC and the emulated SECC record through here, so a message log reads the same from either side.

import type { Clock } from '../../core/clock.ts';
import type { ExiDeviation } from '../../exi/index.ts';
import { payloadTypeLabel } from '../v2gtp.ts';
import type { MessageCodec } from './codec.ts';
import type { FrameDecorator } from './link.ts';
import { grammarOfPayloadType, rootOf, type V2gDoc } from './messages.ts';

/** What a session engine adds to each frame's 'v2g' timeline record (the link records hex and payload type). */
export interface V2gDecoration extends Record<string, unknown> {
  /** Root element name ('SessionSetupReq'), or '(undecodable)'. */
  message: string;
  /** Decoded document (absent when it could not be decoded). */
  doc?: V2gDoc;
  codec: string;
  /** Which connection (several vehicles may talk to one charger). */
  connection: string;
  /** For a received response: ms from the end of sending the request to its arrival. */
  responseMs?: number;
  note?: string;
  decodeError?: string;
  /** Deviations from EXI 1.0 the peer's encoder made that still decoded: an observation, not a verdict. */
  exiDeviations?: ExiDeviation[];
}

/**
 * Decodes frames for the timeline exactly once: the decorator decodes a received payload on arrival
 * and keeps the result for the engine (decoded(payload)), so a message is never decoded twice.
 */
export class MessageDecorator {
  private readonly rxDocs = new WeakMap<Uint8Array, V2gDoc | Error>();
  private nextTx: { doc?: V2gDoc; note?: string } | undefined;
  /** Clock ns when the last frame went out (for responseMs). */
  lastTxNs: number | undefined;
  /** responseMs of the last frame received. */
  lastResponseMs: number | undefined;

  constructor(
    private readonly codec: MessageCodec,
    private readonly clock: Clock,
    readonly connection: string,
    private readonly measureResponse: boolean,
  ) {}

  /** Tell the decorator what the next send carries (saves re-decoding our own message). */
  willSend(doc: V2gDoc | undefined, note?: string): void {
    this.nextTx = { doc, note };
  }

  decoded(payload: Uint8Array): V2gDoc | Error | undefined {
    return this.rxDocs.get(payload);
  }

  readonly decorate: FrameDecorator = (dir, payloadType, payload) => {
    const base = { codec: this.codec.name, connection: this.connection };
    if (dir === 'tx') {
      const tx = this.nextTx;
      this.nextTx = undefined;
      this.lastTxNs = this.clock.now();
      const doc = tx?.doc;
      return { ...base, message: doc ? safeRoot(doc) : '(raw)', doc, note: tx?.note };
    }
    const grammar = grammarOfPayloadType(payloadType);
    const responseMs = this.measureResponse && this.lastTxNs !== undefined ? (this.clock.now() - this.lastTxNs) / 1e6 : undefined;
    this.lastResponseMs = responseMs;
    if (!grammar) {
      const err = new Error(`payload type ${payloadTypeLabel(payloadType)} carries no -20 DC session message`);
      this.rxDocs.set(payload, err);
      return { ...base, message: '(unsupported payload type)', responseMs, decodeError: err.message };
    }
    try {
      let exiDeviations: ExiDeviation[] | undefined;
      const doc = this.codec.decode(grammar, payload, (d) => (exiDeviations ??= []).push(d));
      this.rxDocs.set(payload, doc);
      return { ...base, message: safeRoot(doc), doc, responseMs, ...(exiDeviations && { exiDeviations }) };
    } catch (e) {
      this.rxDocs.set(payload, e as Error);
      return { ...base, message: '(undecodable)', responseMs, decodeError: (e as Error).message };
    }
  };
}

export function safeRoot(doc: V2gDoc): string {
  try {
    return rootOf(doc);
  } catch {
    return '(no single root)';
  }
}

/** A readable message log (one line per message + the decoded JSON), for an attachment. */
export function formatMessageLog(events: Array<{ t: number; source: string; data: Record<string, unknown> }>): string {
  const lines: string[] = [];
  const t0 = events[0]?.t ?? 0;
  for (const e of events) {
    const d = e.data as Partial<V2gDecoration> & {
      dir?: string;
      payloadTypeName?: string;
      hex?: string;
      raw?: boolean;
      malformed?: boolean;
      error?: string;
      protocol?: string;
    };
    const ms = ((e.t - t0) / 1e6).toFixed(1).padStart(9);
    const rt = d.responseMs !== undefined ? `  (${d.responseMs.toFixed(1)} ms)` : '';
    const arrow = d.dir === 'tx' ? '→' : '←';
    const what =
      d.message ??
      (d.protocol ? `${d.protocol}${d.malformed ? ' (malformed)' : ''}` : d.malformed ? '(malformed V2GTP)' : d.raw ? '(raw bytes)' : '?');
    const why = d.note ?? d.error ?? d.decodeError;
    lines.push(
      `${ms} ms  ${e.source.padEnd(10)} ${arrow} ${what}  [${d.payloadTypeName ?? ''}${d.connection ? `, ${d.connection}` : ''}]${rt}${why ? `  — ${why}` : ''}`,
    );
    if (d.doc) lines.push('            ' + JSON.stringify(d.doc));
    lines.push(`            hex ${d.hex ?? ''}`);
  }
  return lines.join('\n') + '\n';
}
