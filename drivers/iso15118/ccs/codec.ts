// The message codec of a DIN 70121 / ISO 15118-2 connection. Both protocols wrap every message in
// V2G_Message { Header { SessionID }, Body { <Message> } } and send it, like supportedAppProtocol, as V2GTP
// payload type 0x8001: which EXI grammar a 0x8001 frame needs is known only from the supportedAppProtocol
// exchange, so this codec holds the connection's negotiated protocol. To the -20 session's building blocks
// (exchangeOnce, MessageDecorator, the timeline's 'v2g' records) it shows the messages in their flat form
// `{ CurrentDemandRes: { Header, ResponseCode, … } }`; the wire bytes (hex on the timeline) are the EXI.

import { decodeExi, encodeExi, type ExiDeviation } from '../../exi/index.ts';
import { MessageDecodeError, type MessageCodec } from '../evcc/codec.ts';
import { rootOf, type V2gDoc } from '../evcc/messages.ts';
import type { CcsProtocol } from './protocols.ts';

const isAppProtocol = (root: string) => root === 'supportedAppProtocolReq' || root === 'supportedAppProtocolRes';

export class CcsMessageCodec implements MessageCodec {
  readonly isExi = true;
  /** Set once supportedAppProtocolRes selected DIN or -2; until then every 0x8001 frame is an app-protocol message. */
  protocol: CcsProtocol | undefined;

  get name(): string {
    return this.protocol ? `exi(app, ${this.protocol})` : 'exi(app)';
  }

  encode(_grammar: string, doc: V2gDoc): Uint8Array {
    const root = rootOf(doc);
    if (isAppProtocol(root)) return encodeExi('app', doc);
    if (!this.protocol) throw new MessageDecodeError(`${root}: no protocol negotiated yet (supportedAppProtocol first)`, 'encode');
    const { Header, ...body } = doc[root] as { Header?: { SessionID?: string } } & Record<string, unknown>;
    return encodeExi(this.protocol, { V2G_Message: { Header: { SessionID: Header?.SessionID ?? '00' }, Body: { [root]: body } } });
  }

  decode(_grammar: string, bytes: Uint8Array, onDeviation?: (d: ExiDeviation) => void): V2gDoc {
    if (!this.protocol) return decodeExi('app', bytes, { onDeviation });
    const doc = decodeExi(this.protocol, bytes, { onDeviation }) as {
      V2G_Message?: { Header?: Record<string, unknown>; Body?: Record<string, Record<string, unknown>> };
    };
    const body = doc.V2G_Message?.Body;
    if (!body || Object.keys(body).length !== 1)
      throw new MessageDecodeError('V2G_Message without exactly one message in its Body', `${this.protocol} payload`);
    const root = Object.keys(body)[0];
    return { [root]: { Header: doc.V2G_Message?.Header ?? {}, ...body[root] } };
  }
}
