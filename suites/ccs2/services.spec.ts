// ISO 15118-2 ServiceDetail on the truck's CCS2 port: the vehicle asks ServiceDetailReq for every service the
// charger lists in ServiceDiscoveryRes (the charge service and any value-added one) and judges each answer from
// the wire: OK, about the service asked, and — where it carries a ServiceParameterList — parameter sets a
// vehicle can choose from (each ParameterSetID once; each parameter named, once per set, with exactly one value).
// DIN 70121 has no ServiceDetail on a DC charger. A session that never reached ServiceDiscovery is broken.

import { BenchFault } from '../../drivers/core/errors.ts';
import type { Exchange } from '../../drivers/iso15118/evcc/exchange.ts';
import { check, requirement } from '../../reports/evidence.ts';
import * as h from './handshake-support.ts';
import { asList, serviceDetailProblems } from './service-detail-check.ts';
import { SERVICE_DETAIL_ID } from './session-ids.ts';

const CLAUSE = 'ISO 15118-2:2014 8.4.3.4 (ServiceDetailReq/Res), ServiceParameterListType';

/** The ServiceIDs ServiceDiscoveryRes offers: the charge service, then the value-added ones. */
function offeredServiceIds(discovery: Record<string, any>): number[] {
  const charge = discovery.ChargeService?.ServiceID;
  const others = asList<Record<string, any>>(discovery.ServiceList?.Service).map((s) => s.ServiceID);
  return [charge, ...others].filter((id): id is number => Number.isInteger(id));
}

describe('ISO 15118-2 ServiceDetail (CCS2 port)', function () {
  it('ISO 15118-2: describes each service it offers in ServiceDetailRes, with well-formed parameter sets', async function () {
    const { bench } = this;
    h.requireDeclared(bench, this, 'iso2');
    requirement(SERVICE_DETAIL_ID, { epic: h.EPIC, feature: 'Service detail', clause: CLAUSE, severity: 'normal' });
    const session = await h.ccsVehicleOf(bench, this).openSession({ protocols: ['iso2'] });
    try {
      let discovery: Exchange | undefined;
      try {
        discovery = await session.runUntil('ServiceDiscovery');
      } catch (e) {
        throw new BenchFault(`the session did not reach ServiceDiscoveryRes to ask about its services: ${(e as Error).message}`);
      }
      const ids = offeredServiceIds(discovery?.body ?? {});
      if (!ids.length) throw new BenchFault('ServiceDiscoveryRes offered no service with a ServiceID to ask about');
      for (const id of ids) {
        const problems = serviceDetailProblems(await session.exchange('ServiceDetail', { ServiceID: id }), id);
        check(`ServiceDetailRes (service ${id}) well-formed`, problems.length === 0, {
          violation: 'protocol',
          clause: CLAUSE,
          verified: false,
          expected: 'OK, the ServiceID asked, each ParameterSetID once, each parameter named once with one value',
          actual: problems.join('; ') || 'well-formed',
        });
      }
    } finally {
      await session.end('service detail test');
    }
  });
});
