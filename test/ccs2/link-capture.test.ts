// The per-test pcapng of the CCS2 port's PLC link (issue 12: tshark decodes our SLAC frames as HomePlug AV and
// our -2 V2GTP, the capture in the evidence; issue 11: a pcapng of the link per test). The harness runs one
// ISO 15118-2 handshake test on a bench of its own veth pair (test/ccs2/fixtures/link-capture.yaml, -2 over TLS 1.2),
// and tshark reads the pcapng attached to that test: the SLAC message types as HomePlug AV, then SDP and, decrypted
// with the key log the file embeds, the EXI messages as V2GTP (our dissector, tools/wireshark/v2gtp.lua: tshark has
// none). Which link's capture a test gets is checked on its own, without a bench.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../drivers/core/clock.ts';
import { Timeline } from '../../drivers/core/timeline.ts';
import { PcapTail } from '../../drivers/iso15118/capture-tail.ts';
import { benchLinks, LINK_USE_KINDS, linksUsed } from '../../runner/link-use.ts';
import { upTestVethPair, type TestVethPair } from '../support/veth-pair.ts';
import { mcsHil, onlyRunDir, ROOT, tmp } from '../foundation/helpers.ts';

const BENCH = 'test/ccs2/fixtures/link-capture.yaml';
const V2GTP_LUA = join(ROOT, 'tools/wireshark/v2gtp.lua');
const TEST = 'ISO 15118-2: answers each request of the DC flow with OK';

/** ISO 15118-3 Annex A's SLAC messages (MMTYPE), each request with its confirmation or response. */
const SLAC_MMTYPES = {
  'CM_SLAC_PARM.REQ': '0x6064',
  'CM_SLAC_PARM.CNF': '0x6065',
  'CM_START_ATTEN_CHAR.IND': '0x606a',
  'CM_MNBC_SOUND.IND': '0x6076',
  'CM_ATTEN_CHAR.IND': '0x606e',
  'CM_ATTEN_CHAR.RSP': '0x606f',
  'CM_SLAC_MATCH.REQ': '0x607c',
  'CM_SLAC_MATCH.CNF': '0x607d',
  'CM_SET_KEY.REQ': '0x6008',
  'CM_SET_KEY.CNF': '0x6009',
};

const missingTools = ['tshark', 'tcpdump'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error);

interface Attachment {
  name: string;
  source: string;
}

/** The attachments of the run's one test: its own and those of its hooks (the afterEach attaches the captures). */
function testAttachments(results: string): Attachment[] {
  const json = (suffix: string) =>
    readdirSync(results)
      .filter((f) => f.endsWith(suffix))
      .map((f) => JSON.parse(readFileSync(join(results, f), 'utf8')));
  const collect = (x: { attachments?: Attachment[]; steps?: unknown[] }): Attachment[] => [
    ...(x.attachments ?? []),
    ...(x.steps ?? []).flatMap((s) => collect(s as typeof x)),
  ];
  const tests = json('-result.json');
  expect(tests, 'one test ran').to.have.length(1);
  const hooks = json('-container.json').filter((c) => (c.children ?? []).includes(tests[0].uuid));
  return [tests[0], ...hooks.flatMap((c) => [...(c.befores ?? []), ...(c.afters ?? [])])].flatMap(collect);
}

function tshark(file: string, filter: string, field: string, lua = false): string[] {
  const args = [...(lua ? ['-X', `lua_script:${V2GTP_LUA}`] : []), '-r', file, '-Y', filter, '-T', 'fields', '-e', field];
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  expect(r.status, `tshark ${args.join(' ')}: ${r.stderr}`).to.equal(0);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

describe("CCS2 link capture: the test's pcapng of the PLC link, read by tshark", function () {
  if (missingTools.length) {
    it.skip(`${missingTools.join(' and ')} not installed (apt-get install tshark tcpdump; .ci/run does): the capture is not checked`);
    return;
  }
  if (process.getuid?.() !== 0) {
    it.skip('not root: the veth pair, raw 0x88E1 frames and tcpdump need root, as on the emulator bench');
    return;
  }

  this.timeout(0); // a real-time run of one short test: as long as the machine needs
  let pcapng = '';
  let pair: TestVethPair | undefined;
  before(async function () {
    // Up before the run, so that the run leaves it and the after hook takes down only what this test brought up.
    pair = await upTestVethPair({ evInterface: 'plc-cap-ev0', chargerInterface: 'plc-cap-evse0' });
    const out = tmp('mcs-hil-ccs2-capture-');
    const run = mcsHil(['run', '--bench', BENCH, '--suite', 'ccs2', '--grep', TEST, '--out', out]);
    expect(run.status, `the -2 handshake test passes:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`).to.equal(0);
    const results = join(onlyRunDir(out), 'allure-results');
    const captures = testAttachments(results).filter((a) => a.name.startsWith('plc.pcapng'));
    expect(
      captures.map((a) => a.name),
      'one capture of the PLC link',
    ).to.have.length(1);
    expect(captures[0].name).to.include('TLS key log embedded');
    pcapng = join(results, captures[0].source);
  });
  after(() => pair?.remove());

  it('holds every SLAC message type of the match, dissected as HomePlug AV', function () {
    const types = new Set(tshark(pcapng, 'homeplug-av', 'homeplug_av.mmhdr.mmtype'));
    for (const [name, mmtype] of Object.entries(SLAC_MMTYPES)) expect(types.has(mmtype), `${name} (${mmtype})`).to.equal(true);
  });

  it('holds the SDP exchange as V2GTP, and the -2 EXI messages as V2GTP inside TLS, decrypted from the file alone', function () {
    const types = tshark(pcapng, 'v2gtp', 'v2gtp.payload_type', true);
    expect(types).to.include.members(['0x9000', '0x9001']);
    // supportedAppProtocol … SessionStop: a request and its response each, all 0x8001 in -2.
    const inTls = tshark(pcapng, 'v2gtp && tls', 'v2gtp.payload_type', true).flatMap((t) => t.split(','));
    expect(inTls.filter((t) => t === '0x8001').length, 'EXI messages decrypted from the TLS records').to.be.at.least(2 * 10);
  });
});

describe('Which links a test carries the capture of', function () {
  const bench = {
    config: {
      resources: {
        'ev-link': { kind: 'veth-link' },
        plc: { kind: 'emulated-plc-link' },
        charger: { kind: 'emulated-mcs-charger', link: 'ev-link' },
        vehicle: { kind: 'iso15118-ev', link: 'ev-link' },
        'ccs-charger': { kind: 'emulated-ccs-charger', link: 'plc' },
        'ccs-ev': { kind: 'ccs-ev', plc: 'plc' },
      },
    },
    resources: new Map<string, unknown>([
      ['ev-link', { evInterface: 'mcs-ev0' }],
      ['plc', { evInterface: 'plc-ev0' }],
      ['vehicle', {}],
    ]),
  } as unknown as Parameters<typeof benchLinks>[0];
  const links = benchLinks(bench);

  /** A test's events: the idle check's SDP on the MCS link, then the body's. */
  function used(body: [kind: string, source: string, dir: string][], o: { preconditionFailed?: boolean } = {}): string[] {
    const timeline = new Timeline({ clock: new VirtualClock() });
    timeline.record('v2g', 'vehicle', { dir: 'tx', message: 'SDP request' });
    timeline.record('v2g', 'charger', { dir: 'tx', message: 'SDP response' });
    if (o.preconditionFailed) timeline.record('test', 'runner', { event: 'precondition failed', resource: 'vehicle' });
    const bodyStartSeq = timeline.mark();
    for (const [kind, source, dir] of body) timeline.record(kind, source, { dir });
    return linksUsed(links, (fn) => timeline.forEach({ kind: [...LINK_USE_KINDS] }, fn), bodyStartSeq).map((l) => l.name);
  }

  it('finds each link and the vehicle that talks on it (not the emulated charger)', function () {
    expect(links).to.deep.equal([
      { name: 'ev-link', iface: 'mcs-ev0', vehicles: ['vehicle'] },
      { name: 'plc', iface: 'plc-ev0', vehicles: ['ccs-ev'] },
    ]);
  });

  it("a CCS2 test gets the PLC link's, not the MCS link's whose idle check ran before its body", function () {
    expect(
      used([
        ['plc', 'plc', 'tx'],
        ['plc', 'plc', 'rx'],
        ['v2g', 'ccs-ev', 'tx'],
      ]),
    ).to.deep.equal(['plc']);
    expect(used([['v2g', 'ccs-ev', 'tx']])).to.deep.equal(['plc']);
  });

  it("an MCS test gets the MCS link's; a test on both, both", function () {
    expect(used([['v2g', 'vehicle', 'tx']])).to.deep.equal(['ev-link']);
    expect(
      used([
        ['v2g', 'vehicle', 'tx'],
        ['plc', 'plc', 'tx'],
      ]),
    ).to.deep.equal(['ev-link', 'plc']);
  });

  it('a test whose body sent on no link gets no capture, unless its precondition failed: then those it checked', function () {
    const overheard: [string, string, string][] = [
      ['v2g', 'charger', 'tx'],
      ['plc', 'plc', 'rx'],
    ];
    expect(used(overheard)).to.deep.equal([]);
    expect(used([], { preconditionFailed: true })).to.deep.equal(['ev-link']);
  });
});

describe('A link capture read as it grows', function () {
  const le32 = (...values: number[]) => {
    const out = new Uint8Array(values.length * 4);
    values.forEach((v, k) => new DataView(out.buffer).setUint32(k * 4, v, true));
    return out;
  };
  const record = (tsUs: number, bytes: number[]) =>
    new Uint8Array([...le32(Math.floor(tsUs / 1e6), tsUs % 1e6, bytes.length, bytes.length), ...bytes]);

  it('returns each packet once, and a record still being written on the next read', function () {
    const file = join(tmp('mcs-hil-pcap-tail-'), 'link.pcap');
    const header = le32(0xa1b2c3d4, 0, 0, 0, 0, 1);
    const tail = new PcapTail(file);
    writeFileSync(file, header.subarray(0, 10));
    expect(tail.next().packets).to.deep.equal([]); // tcpdump has not written its header yet
    const [a, b] = [record(1_000_001, [1, 2, 3]), record(2_000_002, [4, 5])];
    writeFileSync(file, new Uint8Array([...header, ...a, ...b.subarray(0, 17)]));
    expect(tail.next().packets.map((p) => p.tsUs)).to.deep.equal([1_000_001]);
    appendFileSync(file, b.subarray(17));
    expect(tail.next().packets.map((p) => [...p.data])).to.deep.equal([[4, 5]]);
    expect(tail.next().packets).to.deep.equal([]);
  });
});
