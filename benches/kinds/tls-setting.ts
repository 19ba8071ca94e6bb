// Opening the `tls` setting of a V2G end (the vehicle, or an emulated charger): what it names is loaded
// and checked when the bench opens, so a missing file, a key that does not match, an expired certificate
// or a wrong passphrase stops the bench before any test, naming the bench file, the setting and the file.

import { dirname, resolve } from 'node:path';
import { InputError } from '../../drivers/core/errors.ts';
import { resolveTlsSetting, type BenchTlsSetting, type ResolvedTls } from '../../drivers/iso15118/pki/bench-tls.ts';
import { EMULATED_MCS_CHARGER_KIND } from '../../emulator/mcs/charger.ts';
import { BenchFileError } from '../load.ts';
import type { BenchConfig } from '../registry.ts';

export async function openTlsSetting(
  name: string,
  setting: BenchTlsSetting | undefined,
  bench: BenchConfig,
  at = new Date(),
): Promise<ResolvedTls> {
  const key = `resources.${name}.tls`;
  try {
    return await resolveTlsSetting(setting, { baseDir: dirname(resolve(bench.file)), at });
  } catch (e) {
    if (e instanceof InputError) throw new BenchFileError(`'${key}': ${e.message}`, bench.file, undefined, key);
    throw e;
  }
}

/**
 * The NSS key log's default: on when the charger is our emulator (its sessions hold no secret worth
 * keeping), off on a physical bench, where the session secrets would end up in the evidence.
 */
export function keylogByDefault(bench: BenchConfig): boolean {
  return Object.values(bench.resources).some((r) => r.kind === EMULATED_MCS_CHARGER_KIND);
}
