// The ServiceDetailRes judgement of suites/ccs2/services.spec.ts on hand-made answers: what a vehicle can use
// passes, and each way a parameter list can be unusable is named.

import { expect } from 'chai';
import type { Exchange } from '../../drivers/iso15118/evcc/exchange.ts';
import { serviceDetailProblems } from '../../suites/ccs2/service-detail-check.ts';

const answer = (body: Record<string, unknown>, code = 'OK'): Exchange =>
  ({
    message: 'ServiceDetail',
    request: {},
    sentAtNs: 0,
    outcome: 'response',
    responseRoot: 'ServiceDetailRes',
    responseCode: code,
    body,
  }) as Exchange;

const internet = (sets: unknown[]) => ({ ServiceID: 3, ServiceParameterList: { ParameterSet: sets } });
const set = (id: number, ...params: Record<string, unknown>[]) => ({ ParameterSetID: id, Parameter: params });

describe('ServiceDetailRes judgement (ccs2)', function () {
  it('passes the charge service without a parameter list and a service with distinct, named, single-valued sets', function () {
    expect(serviceDetailProblems(answer({ ServiceID: 1 }), 1)).to.deep.equal([]);
    const ok = internet([
      set(1, { '@Name': 'Protocol', stringValue: 'ftp' }, { '@Name': 'Port', intValue: 21 }),
      set(2, { '@Name': 'Port', intValue: 80 }),
    ]);
    expect(serviceDetailProblems(answer(ok), 3)).to.deep.equal([]);
  });

  it('names a FAILED answer, another ServiceID, a repeated ParameterSetID, a parameter named twice or with no or two values', function () {
    expect(serviceDetailProblems(answer({ ServiceID: 1 }, 'FAILED_ServiceIDInvalid'), 1)).to.deep.equal([
      'ResponseCode FAILED_ServiceIDInvalid',
    ]);
    expect(serviceDetailProblems(answer({ ServiceID: 1 }), 3)).to.deep.equal(['ServiceID 1, asked 3']);
    const p = { '@Name': 'Port', intValue: 21 };
    expect(serviceDetailProblems(answer(internet([set(1, p), set(1, p)])), 3)).to.deep.equal(['ParameterSetID 1 given more than once']);
    expect(serviceDetailProblems(answer(internet([set(1, p, p)])), 3)).to.deep.equal(['parameter set 1: Port named more than once']);
    expect(serviceDetailProblems(answer(internet([set(1, { '@Name': 'Port' })])), 3)).to.deep.equal([
      "parameter set 1: 'Port' has 0 values",
    ]);
    expect(serviceDetailProblems(answer(internet([set(1, { ...p, stringValue: '21' })])), 3)).to.deep.equal([
      "parameter set 1: 'Port' has 2 values",
    ]);
    expect(serviceDetailProblems(answer(internet([set(1)])), 3)).to.deep.equal(['parameter set 1 has no parameter']);
  });

  it('names a request that got no answer', function () {
    const ex = { message: 'ServiceDetail', request: {}, sentAtNs: 0, outcome: 'timeout', detail: '2000 ms' } as unknown as Exchange;
    expect(serviceDetailProblems(ex, 3)).to.deep.equal(['no answer (timeout: 2000 ms)']);
  });
});
