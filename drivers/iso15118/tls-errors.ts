// Why a TLS handshake failed, in the words a test asserts on: OpenSSL/Node error codes and alerts mapped
// onto a few reasons (untrusted chain, certificate rejected, no TLS 1.3, no shared cipher), from either end.

import { ReasonedInputError } from '../core/errors.ts';

export type TlsFailureReason =
  | 'server-chain-untrusted' // the charger's chain does not verify against our V2G root
  | 'client-certificate-rejected' // the peer refused our (missing or untrusted) client certificate
  | 'no-client-certificate' // (server side) the vehicle offered none
  | 'client-chain-untrusted' // (server side) the vehicle's chain does not verify against the OEM root
  | 'protocol-version' // no common TLS version (1.3 for -20, 1.2 for -2)
  | 'no-shared-cipher'
  | 'handshake-failed'; // anything else, see cause

/** The TLS handshake (or the alert right after it) failed. An InputError: the peer's behaviour, not our bench. */
export class TlsHandshakeError extends ReasonedInputError<TlsFailureReason> {
  override name = 'TlsHandshakeError';
  constructor(
    reason: TlsFailureReason,
    message: string,
    where: string,
    /** OpenSSL / Node error code, e.g. 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(reason, message, where, options);
  }
}

/** Map OpenSSL/Node TLS error codes onto the reasons a test asserts on; undefined for non-TLS errors. */
export function classifyTlsError(e: Error, where: string, side: 'client' | 'server' = 'client'): TlsHandshakeError | undefined {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const m = `${e.message}`;
  const mk = (r: TlsFailureReason, msg: string) => new TlsHandshakeError(r, msg, where, code, { cause: e });
  const chainCodes = [
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'UNABLE_TO_GET_ISSUER_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'CERT_SIGNATURE_FAILURE',
    'CERT_UNTRUSTED',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'INVALID_CA',
    'PATH_LENGTH_EXCEEDED',
    'INVALID_PURPOSE',
  ];
  if (chainCodes.includes(code)) {
    return side === 'client'
      ? mk('server-chain-untrusted', `the charger's certificate chain does not verify against the V2G root (${code})`)
      : mk('client-chain-untrusted', `the vehicle's certificate chain does not verify against the OEM root (${code})`);
  }
  if (/CERTIFICATE_REQUIRED/i.test(code + m))
    return mk('client-certificate-rejected', 'the charger requires a client certificate and got none (TLS alert certificate_required)');
  if (/peer did not return a certificate/i.test(m)) return mk('no-client-certificate', 'the vehicle offered no client certificate');
  if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|DECRYPT_ERROR|UNSUPPORTED_CERTIFICATE|CERTIFICATE_UNKNOWN)/i.test(code + m))
    return side === 'client'
      ? mk('client-certificate-rejected', `the charger rejected our client certificate (${code || m})`)
      : mk('server-chain-untrusted', `the vehicle rejected the charger's certificate (${code || m})`);
  if (/UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION|WRONG_VERSION_NUMBER/i.test(code + m))
    return mk('protocol-version', `no common TLS version (ISO 15118-20 needs TLS 1.3, ISO 15118-2 TLS 1.2): ${m}`);
  if (/NO_SHARED_CIPHER|HANDSHAKE_FAILURE|NO_SUITABLE|no shared cipher/i.test(code + m))
    return mk('no-shared-cipher', `no common cipher suite / group: ${m}`);
  if (code.startsWith('ERR_SSL') || /ssl|tls/i.test(code)) return mk('handshake-failed', m);
  return undefined;
}

/**
 * A server's 'tlsClientError' as a reason: Node verifies the client chain after the handshake and just drops the
 * socket ('socket hang up'); the real reason is left in the socket's authorizationError.
 */
export function serverHandshakeError(e: Error, s: { authorizationError?: unknown }, where: string): TlsHandshakeError {
  const authError = s.authorizationError ? String(s.authorizationError) : undefined;
  const cause = authError ? Object.assign(new Error(`client chain: ${authError}`), { code: authError }) : e;
  return (
    classifyTlsError(cause, where, 'server') ??
    new TlsHandshakeError('handshake-failed', e.message, where, (e as NodeJS.ErrnoException).code, { cause: e })
  );
}
