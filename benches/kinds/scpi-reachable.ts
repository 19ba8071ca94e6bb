// `mcs-hil doctor` for SCPI instruments on the LAN: open the raw socket and ask `*IDN?` — a query only, so
// nothing on the instrument changes (no *RST, no output command). Shared by every SCPI resource kind.

import { RealClock } from '../../drivers/core/clock.ts';
import { SCPI_RAW_PORT, TcpScpiTransport } from '../../drivers/scpi/transport.ts';
import type { ReachabilityResult } from '../registry.ts';

export const SCPI_PROBE_TIMEOUT_MS = 2000;

export async function probeScpiIdentity(
  name: string,
  host: string,
  port = SCPI_RAW_PORT,
  timeoutMs = SCPI_PROBE_TIMEOUT_MS,
): Promise<ReachabilityResult> {
  const clock = new RealClock();
  const where = `${host}:${port}`;
  let transport: TcpScpiTransport | undefined;
  try {
    transport = await TcpScpiTransport.connect({ host, port, clock, source: name, timeoutMs });
  } catch (e) {
    return {
      ok: false,
      detail: `no SCPI socket at ${where} (${(e as Error).message})`,
      fix: `power the instrument and check it is on the LAN at ${host} (ping ${host}); its raw SCPI socket port (usually ${SCPI_RAW_PORT}) must match the bench file's port, and no other program may hold the connection`,
    };
  }
  try {
    const idn = (await transport.query('*IDN?')).trim();
    if (idn.split(',').length < 4)
      return {
        ok: false,
        detail: `${where} answered *IDN? with '${idn.slice(0, 80)}', not 'vendor,model,serial,firmware'`,
        fix: `check that ${where} is the SCPI instrument of resource '${name}' and not another service`,
      };
    return { ok: true, detail: `${where}: ${idn}` };
  } catch (e) {
    return {
      ok: false,
      detail: `${where} accepted the connection but did not answer *IDN? (${(e as Error).message})`,
      fix: `check the port is the raw SCPI socket (not telnet/HiSLIP) and the instrument is not busy / in local lock-out; reconnect or power-cycle it`,
    };
  } finally {
    await transport.close().catch(() => undefined);
  }
}
