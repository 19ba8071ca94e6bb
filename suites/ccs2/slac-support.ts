// Evidence helpers of the CCS2 SLAC suite: the vehicle runs SLAC over the bench's PLC link (a real Green PHY
// modem or the emulated link), and every verdict is read back from the timeline: the 'plc' frames the
// vehicle sent and received, and its 'session' decisions. Nothing here knows which charger answers.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench } from '../../benches/bench.ts';
import { PLC_LINK_KINDS, type PlcLinkResource } from '../../benches/kinds/plc-modem.ts';
import { BenchFault } from '../../drivers/core/errors.ts';
import { Limits, type Limit } from '../../drivers/core/limits.ts';
import type { TimelineEvent } from '../../drivers/core/timeline.ts';
import type { PlcFrameEvent } from '../../drivers/plc/mme-port.ts';
import { runSlacAsEv, type SlacOutcome } from '../../drivers/plc/slac-ev.ts';
import { formatEthernetPcap } from '../../drivers/plc/pcap-ethernet.ts';
import { attachFile, attachText, check, measure } from '../../reports/evidence.ts';

export const EPIC = 'ISO 15118-3 SLAC (CCS2 port)';
export const slacLimits = Limits.load('iso15118-3');

export type PlcEvent = TimelineEvent<PlcFrameEvent>;

export interface SlacRun {
  outcome: SlacOutcome;
  /** The vehicle's SLAC frames of this run, in order. */
  frames: PlcEvent[];
  link: PlcLinkResource;
}

/** The bench's PLC link; a bench without one (an MCS-only bench, the virtual emulator bench) cannot run this suite: skip. */
export function plcLinkOf(bench: Bench, ctx: Mocha.Context): PlcLinkResource {
  const link = bench.find<PlcLinkResource>(...PLC_LINK_KINDS);
  if (!link) ctx.skip(); // no PLC link here: the virtual bench has no raw Ethernet (benches/emulator.yaml has the port)
  return link!;
}

export async function runSlac(bench: Bench, ctx: Mocha.Context, opts: { loseFirstParmAnswers?: boolean } = {}): Promise<SlacRun> {
  const link = plcLinkOf(bench, ctx);
  const after = bench.timeline.mark();
  const outcome = await runSlacAsEv({
    port: link.vehiclePort,
    clock: bench.clock,
    timeline: bench.timeline,
    source: link.name,
    limits: slacLimits,
    ...opts,
  });
  const frames = bench.timeline.query({ kind: 'plc', source: link.name, afterSeq: after }) as PlcEvent[];
  // The frames as a pcap too: Wireshark / tshark dissect them as HomePlug AV (test/plc checks that).
  const pcap = join(bench.runDir, `slac-${outcome.runId}.pcap`);
  writeFileSync(
    pcap,
    formatEthernetPcap(frames.map((e) => ({ tNs: e.t, frame: Buffer.from(e.data.hex, 'hex') }))) as unknown as Uint8Array,
  );
  attachFile('SLAC frames (pcap)', pcap, 'application/vnd.tcpdump.pcap', 'pcap');
  attachText(
    'SLAC frames',
    frames.map((e) => `${(e.t / 1e6).toFixed(1)} ms ${e.data.dir} ${e.data.name} ${e.data.src} → ${e.data.dst}`).join('\n'),
  );
  return { outcome, frames, link };
}

export const sent = (run: SlacRun, name: string) => run.frames.filter((e) => e.data.dir === 'tx' && e.data.name === name);
export const got = (run: SlacRun, name: string) => run.frames.filter((e) => e.data.dir === 'rx' && e.data.name === name);
export const ours = (run: SlacRun) => (e: PlcEvent) => e.data.fields.runId === run.outcome.runId;
const ms = (fromNs: number, toNs: number) => (toNs - fromNs) / 1e6;

/** A -3 timer used as the bound its name says (TT_* are the longest a station waits). */
export function bound(name: string): Limit {
  const l = slacLimits.get(name);
  return { ...l, hi: l.hi ?? l.value };
}

/**
 * The charger's answer to a request, judged against TT_match_response: the time from the request to the
 * first answer after it (any RunID: the RunID is a check of its own). No answer at all fails the same check.
 */
export function measureAnswer(name: string, request: PlcEvent | undefined, answers: PlcEvent[], what: string): void {
  if (!request) throw new BenchFault(`the vehicle sent no ${what} request: nothing to judge`);
  const answer = answers.find((a) => a.t >= request.t);
  const limit = bound('slac.TT_match_response');
  if (!answer) {
    check(name, false, {
      violation: 'protocol',
      clause: limit.clause,
      verified: limit.verified,
      expected: `an answer within ${limit.hi} ms`,
      actual: 'no answer',
      stop: true,
    });
    return;
  }
  measure(name, ms(request.t, answer.t), limit, { violation: 'timing' });
}

export { ms };
