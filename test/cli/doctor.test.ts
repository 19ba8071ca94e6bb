// `mcs-hil doctor` and `mcs-hil faults` for people and for tools: a resource that is not set up yet is
// "not ready" with its fix (never "ok" next to "not up"), and both commands speak JSON on request.
import { expect } from 'chai';
import { cli } from './cli.ts';

const NOT_READY = 'test/cli/fixtures/not-ready.yaml';

describe('mcs-hil doctor and faults', function () {
  it('doctor says "not ready" with the fix for a veth pair that is not up, and never "ok" beside "not up"', function () {
    const r = cli(['doctor', '--bench', NOT_READY]);
    expect(r.status, r.stderr).to.equal(0); // nothing to FIX: the run creates the pair itself
    expect(r.stdout).to.match(/^not ready {2}resource ev-link \(veth-link\): .*absent/m);
    expect(r.stdout).to.match(/→ sudo scripts\/veth-link\.sh up mcs-nrdy0 mcs-nrdyse0/);
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('ok'))) expect(line).to.not.match(/not up|not ready/);
    expect(r.stdout.trim().split('\n').at(-1)).to.equal('1 not ready (the run sets them up itself where it can)');
  });

  it('doctor --json: ready, and each finding with its status and fix', function () {
    const r = cli(['doctor', '--json', '--bench', NOT_READY]);
    expect(r.status, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as { ready: boolean; notReady: number; findings: { status: string; what: string; fix?: string }[] };
    expect(doc).to.include({ ready: false, notReady: 1, toFix: 0 });
    const link = doc.findings.find((f) => f.what === 'resource ev-link (veth-link)')!;
    expect(link.status).to.equal('not ready');
    expect(link.fix).to.contain('veth-link.sh up');
    expect(doc.findings.find((f) => f.what === 'bench file')!.status).to.equal('ok');
  });

  it('faults: a header line, then one switch per line; --json is the catalogue as data', function () {
    const text = cli(['faults']);
    expect(text.status).to.equal(0);
    expect(text.stdout.split('\n')[0]).to.match(/^fault\twhat the emulator does wrong\t/);
    const json = cli(['faults', '--json']);
    const faults = JSON.parse(json.stdout) as { name: string; catches: string[] }[];
    expect(faults.length).to.equal(text.stdout.trim().split('\n').length - 1);
    expect(faults.every((f) => f.name && f.catches.length > 0)).to.equal(true);
  });
});
