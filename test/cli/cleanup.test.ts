// A run removes what it created: the veth pair of its emulated link (one that was up before stays up).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cli, TempDirs } from './cli.ts';

const linkExists = (name: string) => spawnSync('ip', ['link', 'show', name], { encoding: 'utf8' }).status === 0;

describe('a run cleans up after itself', function () {
  const tmp = new TempDirs();
  after(() => tmp.removeAll());

  it('removes the veth pair it created when the bench closes', function () {
    if (process.getuid?.() !== 0 || spawnSync('ip', ['-V']).status !== 0) this.skip(); // creating veth pairs needs root and iproute2
    expect(linkExists('mcs-own0'), 'left over from an earlier run').to.equal(false);
    const args = [
      'run',
      '--bench',
      'test/cli/fixtures/veth-own.yaml',
      '--suite',
      'test/fixtures/suites/evidence.spec.ts',
      '--id',
      'FIX-PASS-001',
    ];
    const r = cli([...args, '--out', tmp.make('mcs-cli-veth-')]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(linkExists('mcs-own0')).to.equal(false);
    expect(linkExists('mcs-ownse0')).to.equal(false);
  });
});
