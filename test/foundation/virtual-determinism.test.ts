// Virtual time makes a run a function of its inputs: the same bench, seed and tests give a byte-identical
// timeline and the same verdicts, however loaded the host is. Two short runs side by side (so they compete
// for the CPU) cover both ports: the MCS session over TLS 1.3 on the in-memory link (drivers/iso15118/memory-tls.ts)
// and the GB/T sequence on the in-process CAN bus, the bench's own clock check, and a test that renders a plot (vega
// loads through the loader thread).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcsHilAsync, onlyRunDir, ROOT, tmp } from './helpers.ts';

const BENCH = join(ROOT, 'benches', 'emulator-virtual.yaml');
const GREP = 'keeps its configured rate|runs the whole DC/MCS sequence|standard order|follows the BCL current demand';

const TSHARK = !spawnSync('tshark', ['--version'], { stdio: 'ignore' }).error;

/** Each V2GTP message of a run's MCS link capture as 'port type payload', decrypted with the run's key logs. */
function decryptedV2gtp(dir: string): string[] {
  const keylogs = join(dir, 'keylogs');
  const keylog = join(dir, 'all.keylog');
  writeFileSync(
    keylog,
    readdirSync(keylogs)
      .map((f) => readFileSync(join(keylogs, f), 'latin1'))
      .join(''),
    'latin1',
  );
  const args = ['-X', `lua_script:${join(ROOT, 'tools/wireshark/v2gtp.lua')}`, '-o', `tls.keylog_file:${keylog}`];
  const fields = ['tcp.srcport', 'v2gtp.payload_type', 'v2gtp.payload'].flatMap((f) => ['-e', f]);
  const r = spawnSync('tshark', [...args, '-r', join(dir, 'capture-ev-link.pcap'), '-Y', 'v2gtp', '-T', 'fields', ...fields], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

function run(out: string): Promise<number | null> {
  const p = mcsHilAsync(['run', '--bench', BENCH, '--suite', 'bench,mcs,gbt27930', '--grep', GREP, '--out', out, '--quiet']);
  p.stdout.resume();
  p.stderr.resume();
  return new Promise((resolve) => p.on('close', resolve));
}

describe('virtual bench: determinism', function () {
  this.timeout(300_000);

  it('two runs give a byte-identical timeline and the same verdicts', async function () {
    const outs = [tmp('mcs-det-a-'), tmp('mcs-det-b-')];
    const codes = await Promise.all(outs.map(run));
    expect(codes).to.deep.equal([0, 0]);
    const [a, b] = outs.map(onlyRunDir);
    const verdicts = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).tests as { title: string; state: string }[]).map(
        (t) => `${t.state} ${t.title}`,
      );
    expect(verdicts(a)).to.have.length(4);
    expect(verdicts(b)).to.deep.equal(verdicts(a));
    const ta = readFileSync(join(a, 'timeline.jsonl'));
    const tb = readFileSync(join(b, 'timeline.jsonl'));
    // A readable first difference instead of two megabytes of diff.
    const la = ta.toString('utf8').split('\n');
    const lb = tb.toString('utf8').split('\n');
    const first = la.findIndex((l, i) => l !== lb[i]);
    expect(first, `first differing line ${first + 1}:\n${la[first]?.slice(0, 300)}\n${lb[first]?.slice(0, 300)}`).to.equal(-1);
    expect(Buffer.compare(new Uint8Array(ta), new Uint8Array(tb))).to.equal(0);
    // The in-process link's capture (runner/memory-link-capture.ts) carries TLS 1.3 records: their bytes differ run to run
    // (fresh keys, random nonces, ECDSA signatures of varying length), so what must match is what they carry: the V2GTP
    // messages each side sent, decrypted with the run's own key logs.
    const capture = (dir: string) => join(dir, 'capture-ev-link.pcap');
    expect(readFileSync(capture(a)).length, 'the MCS session is in the capture').to.be.above(24);
    if (!TSHARK) return console.log('      (tshark not installed: the captures are not decrypted and compared)');
    const messages = decryptedV2gtp(a);
    expect(messages.length, 'V2GTP messages decrypted from the capture').to.be.above(10);
    expect(decryptedV2gtp(b), 'capture-ev-link.pcap, decrypted').to.deep.equal(messages);
  });
});
