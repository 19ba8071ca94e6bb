// V2GTP (V2G Transfer Protocol) framing: the 8-byte header in front of every SDP datagram and every
// EXI message on TCP/TLS. Header = version 0x01, inverse version 0xFE, payload type u16, payload
// length u32, all big-endian (ISO 15118-20 Table 12 payload types; reference §2.1).
//
// The receiver's header checks follow the standard's order: version + inverse first, then payload
// type, then payload length against the receive buffer. Each failure has its own reason code so a test
// can assert WHICH check a malformed frame trips (the SECC side closes the connection on any of them).

import { ReasonedInputError } from '../core/errors.ts';

export const V2GTP_VERSION = 0x01;
export const V2GTP_INVERSE_VERSION = 0xfe;
export const V2GTP_HEADER_LENGTH = 8;

/** Payload types of ISO 15118-20 (Table 12) plus the SDP ones shared with -2/DIN. */
export const PayloadType = {
  /** supportedAppProtocol (SAP) — and every EXI message of ISO 15118-2 / DIN 70121. */
  Sap: 0x8001,
  /** -20 CommonMessages, mainstream. */
  CommonMessages: 0x8002,
  Ac: 0x8003,
  Dc: 0x8004,
  Acdp: 0x8005,
  Wpt: 0x8006,
  ScheduleRenegotiation: 0x8101,
  MeteringConfirmation: 0x8102,
  AcdpSystemStatus: 0x8103,
  ParkingStatus: 0x8104,
  SdpRequest: 0x9000,
  SdpResponse: 0x9001,
  SdpRequestWireless: 0x9002,
  SdpResponseWireless: 0x9003,
} as const;
export type PayloadTypeName = keyof typeof PayloadType;

/** 0xA000–0xFFFF: manufacturer-specific payload types, accepted as known. */
export const MANUFACTURER_PAYLOAD_TYPE_MIN = 0xa000;

const NAMES = new Map<number, PayloadTypeName>(Object.entries(PayloadType).map(([k, v]) => [v, k as PayloadTypeName]));

export function isKnownPayloadType(t: number): boolean {
  return NAMES.has(t) || (t >= MANUFACTURER_PAYLOAD_TYPE_MIN && t <= 0xffff);
}

/** 'DC (0x8004)' — for logs, timeline and error messages. */
export function payloadTypeLabel(t: number): string {
  const hex = `0x${t.toString(16).padStart(4, '0')}`;
  const name = NAMES.get(t);
  if (name) return `${name} (${hex})`;
  if (t >= MANUFACTURER_PAYLOAD_TYPE_MIN && t <= 0xffff) return `manufacturer (${hex})`;
  return `unknown (${hex})`;
}

/**
 * Default largest payload we accept. EXI messages of -20 are small (a signed CertificateInstallationRes
 * is the biggest, a few kB); 64 KiB keeps a hostile length field from making us buffer megabytes.
 */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024;

export type V2gtpErrorReason =
  | 'wrong-version' // byte 0 is not 0x01
  | 'wrong-inverse' // byte 1 is not the inverse of byte 0
  | 'unknown-payload-type'
  | 'payload-too-large' // length field exceeds the receiver's maximum
  | 'truncated' // fewer bytes than header + length
  | 'trailing-bytes'; // decodeV2gtp on a buffer longer than one frame

export class V2gtpError extends ReasonedInputError<V2gtpErrorReason> {
  override name = 'V2gtpError';
  constructor(
    reason: V2gtpErrorReason,
    message: string,
    where = 'V2GTP',
    /** The header bytes seen (up to 8), for the evidence. */
    readonly header?: Uint8Array,
  ) {
    super(reason, message, where);
  }
}

export interface V2gtpFrame {
  payloadType: number;
  payload: Uint8Array;
}

export interface V2gtpOptions {
  /** Largest payload length accepted; default DEFAULT_MAX_PAYLOAD. */
  maxPayload?: number;
  /** Accept payload types outside Table 12 (e.g. to record what a misbehaving peer sent). Default false. */
  allowUnknownPayloadType?: boolean;
  /** Where the bytes came from, for error messages ('tcp [fe80::1%mcs-ev0]:50000'). */
  where?: string;
}

/** Encode one frame. Strict: rejects payload types outside 0..0xFFFF and oversize payloads (RangeError = our bug). */
export function encodeV2gtp(payloadType: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 0xffff) {
    throw new RangeError(`V2GTP payload type must be a u16, got ${payloadType}`);
  }
  if (payload.length > 0xffffffff) throw new RangeError(`V2GTP payload of ${payload.length} bytes does not fit a u32 length`);
  const out = new Uint8Array(V2GTP_HEADER_LENGTH + payload.length);
  const dv = new DataView(out.buffer);
  out[0] = V2GTP_VERSION;
  out[1] = V2GTP_INVERSE_VERSION;
  dv.setUint16(2, payloadType);
  dv.setUint32(4, payload.length);
  out.set(payload, V2GTP_HEADER_LENGTH);
  return out;
}

/**
 * Encode a frame with arbitrary header fields — for negative tests (the vehicle sending malformed V2GTP
 * on purpose). Never used on the normal path.
 */
export function encodeRawV2gtp(
  fields: { version?: number; inverse?: number; payloadType: number; length?: number },
  payload: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(V2GTP_HEADER_LENGTH + payload.length);
  const dv = new DataView(out.buffer);
  out[0] = (fields.version ?? V2GTP_VERSION) & 0xff;
  out[1] = (fields.inverse ?? V2GTP_INVERSE_VERSION) & 0xff;
  dv.setUint16(2, fields.payloadType & 0xffff);
  dv.setUint32(4, (fields.length ?? payload.length) >>> 0);
  out.set(payload, V2GTP_HEADER_LENGTH);
  return out;
}

/** Header checks in the standard's order; returns the payload length. `bytes` holds at least 8 bytes. */
function checkHeader(bytes: Uint8Array, opts: V2gtpOptions): { payloadType: number; length: number } {
  const where = opts.where ?? 'V2GTP';
  const header = bytes.slice(0, V2GTP_HEADER_LENGTH);
  if (bytes[0] !== V2GTP_VERSION) {
    throw new V2gtpError('wrong-version', `protocol version 0x${hex2(bytes[0])}, expected 0x01`, where, header);
  }
  if (bytes[1] !== V2GTP_INVERSE_VERSION) {
    throw new V2gtpError('wrong-inverse', `inverse protocol version 0x${hex2(bytes[1])}, expected 0xfe`, where, header);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, V2GTP_HEADER_LENGTH);
  const payloadType = dv.getUint16(2);
  const length = dv.getUint32(4);
  if (!opts.allowUnknownPayloadType && !isKnownPayloadType(payloadType)) {
    throw new V2gtpError(
      'unknown-payload-type',
      `payload type ${payloadTypeLabel(payloadType)} is not in ISO 15118-20 Table 12`,
      where,
      header,
    );
  }
  const max = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  if (length > max) {
    throw new V2gtpError('payload-too-large', `payload length ${length} exceeds the maximum of ${max} bytes`, where, header);
  }
  return { payloadType, length };
}

/** Decode exactly one whole frame (a UDP datagram, or a test vector). */
export function decodeV2gtp(bytes: Uint8Array, opts: V2gtpOptions = {}): V2gtpFrame {
  const where = opts.where ?? 'V2GTP';
  if (bytes.length < V2GTP_HEADER_LENGTH) {
    // Check what we can of the header first so a 1-byte garbage datagram reports wrong-version.
    if (bytes.length >= 1 && bytes[0] !== V2GTP_VERSION)
      throw new V2gtpError('wrong-version', `protocol version 0x${hex2(bytes[0])}, expected 0x01`, where, bytes.slice());
    if (bytes.length >= 2 && bytes[1] !== V2GTP_INVERSE_VERSION)
      throw new V2gtpError('wrong-inverse', `inverse protocol version 0x${hex2(bytes[1])}, expected 0xfe`, where, bytes.slice());
    throw new V2gtpError('truncated', `${bytes.length} bytes, shorter than the 8-byte header`, where, bytes.slice());
  }
  const { payloadType, length } = checkHeader(bytes, opts);
  const total = V2GTP_HEADER_LENGTH + length;
  if (bytes.length < total) {
    throw new V2gtpError(
      'truncated',
      `header announces ${length} payload bytes, only ${bytes.length - V2GTP_HEADER_LENGTH} present`,
      where,
      bytes.slice(0, 8),
    );
  }
  if (bytes.length > total) {
    throw new V2gtpError('trailing-bytes', `${bytes.length - total} bytes after the ${length}-byte payload`, where, bytes.slice(0, 8));
  }
  return { payloadType, payload: bytes.slice(V2GTP_HEADER_LENGTH, total) };
}

/**
 * Streaming reassembly for TCP/TLS: push() chunks as they arrive, get back every frame completed.
 * A header error is thrown from push() as soon as the 8 header bytes are in (the stream is then
 * unusable: the caller closes the connection, as the standard requires). Memory is bounded by
 * header + maxPayload.
 */
export class V2gtpReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private need: { payloadType: number; length: number } | undefined;
  private failed: V2gtpError | undefined;

  constructor(private readonly opts: V2gtpOptions = {}) {}

  /** Bytes held waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): V2gtpFrame[] {
    if (this.failed) throw this.failed;
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: V2gtpFrame[] = [];
    for (;;) {
      if (!this.need) {
        if (this.buffered < V2GTP_HEADER_LENGTH) break;
        const header = this.peek(V2GTP_HEADER_LENGTH);
        try {
          this.need = checkHeader(header, this.opts);
        } catch (e) {
          this.failed = e as V2gtpError;
          throw e;
        }
      }
      const total = V2GTP_HEADER_LENGTH + this.need.length;
      if (this.buffered < total) break;
      const frame = this.take(total);
      frames.push({ payloadType: this.need.payloadType, payload: frame.subarray(V2GTP_HEADER_LENGTH) });
      this.need = undefined;
    }
    return frames;
  }

  /** At end of stream: throws 'truncated' when a partial frame is left over. */
  end(): void {
    if (this.failed) return;
    if (this.buffered > 0) {
      const what = this.need
        ? `${this.buffered - V2GTP_HEADER_LENGTH} of ${this.need.length} payload bytes`
        : `${this.buffered} of 8 header bytes`;
      throw new V2gtpError('truncated', `stream ended inside a frame (${what})`, this.opts.where ?? 'V2GTP');
    }
  }

  private peek(n: number): Uint8Array {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    this.coalesce();
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Uint8Array {
    this.coalesce();
    const all = this.chunks[0];
    const out = all.slice(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered -= n;
    return out;
  }

  private coalesce(): void {
    if (this.chunks.length <= 1) return;
    const all = new Uint8Array(this.buffered);
    let o = 0;
    for (const c of this.chunks) {
      all.set(c, o);
      o += c.length;
    }
    this.chunks = [all];
  }
}

/** A byte as two hex digits, for messages. */
export function hex2(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, '0');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
