// The `tls` setting of the CCS2 vehicle (kind ccs-ev) for ISO 15118-2, checked when the bench opens:
//   tls: true                       ask for TLS 1.2, the charger's chain checked against the generated -2 test root
//   tls: { trustAnchors: [...] }    the same against a lab's V2G root(s): PEM files or folders, relative to the bench file
//   tls: false (default)            no TLS
// -2 TLS authenticates the charger only, so the vehicle needs no certificate of its own.

import { dirname, resolve } from 'node:path';
import { InputError } from '../../drivers/core/errors.ts';
import { anchorFiles, loadTrustAnchors } from '../../drivers/iso15118/pki/trust-anchors.ts';
import { BenchFileError } from '../load.ts';
import type { BenchConfig } from '../registry.ts';

export type CcsTlsSetting = boolean | { trustAnchors: string[] };

export const ccsTlsSettingSchema = {
  description:
    'ask for TLS in SDP (0x00) for sessions that may run ISO 15118-2: TLS 1.2 with the -2 cipher suites; the charger may ' +
    'answer no TLS (0x10), which is recorded; DIN 70121 never uses TLS. true = the charger verified against the generated ' +
    '-2 test V2G root; { trustAnchors } = against your V2G root(s) (default false)',
  anyOf: [
    { type: 'boolean' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['trustAnchors'],
      properties: {
        trustAnchors: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', minLength: 1 },
          description: "PEM files or folders: the V2G root(s) the charger's -2 chain must lead to",
        },
      },
    },
  ],
};

/** Whether the vehicle asks for TLS, and the V2G roots it checks the charger with (undefined = the -2 test root). */
export function openCcsTlsSetting(
  name: string,
  setting: CcsTlsSetting | undefined,
  bench: BenchConfig,
  at = new Date(),
): { tls: boolean; v2gRootFiles?: string[] } {
  if (typeof setting !== 'object') return { tls: setting === true };
  const key = `resources.${name}.tls.trustAnchors`;
  try {
    const anchors = loadTrustAnchors(
      setting.trustAnchors.map((p) => resolve(dirname(resolve(bench.file)), p)),
      at,
    );
    return { tls: true, v2gRootFiles: anchorFiles(anchors) };
  } catch (e) {
    if (e instanceof InputError) throw new BenchFileError(`'${key}': ${e.message}`, bench.file, undefined, key);
    throw e;
  }
}
