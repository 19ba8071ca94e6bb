// The harness's own latency, measured while it runs, so that a timing verdict can carry it as the
// measurement's uncertainty instead of a limit widened to absorb it. Two kinds, both in CLOCK units (on a
// scaled clock a wall-ms stall is `rate` clock-ms, and that is what the timestamps being judged suffer):
//  - receive: how long after the bus/hub stamped a frame we stamped it (our stamp − bus stamp);
//  - schedule: how late our timers fired (periodic sends, watchdogs) against their due time.
// Each sample also says which path took it: the main event loop, or a wire engine off it (the native helper or a
// bus worker thread, whose kernel/helper stamps a main-thread stall cannot move). A node whose judged stamps come
// from the wire says so (stampedOnWire), and its uncertainty is then that path's figures only.

export type LatencyKind = 'receive' | 'schedule';
/** Where a sample (and a stamp) was taken: on the main event loop, or by a wire engine off it. */
export type StampPath = 'main' | 'wire';

export interface LatencyDistribution {
  count: number;
  /** Clock ms. NaN when there are no samples. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export type LatencyStats = Record<LatencyKind, LatencyDistribution>;

/** ± band for a timing measurement, in ms, with where it came from (shown on the step). */
export interface TimingUncertainty {
  valueMs: number;
  source: string;
}

const KEEP = 20_000;

/** One ring of (clock ns when observed, latency ns) samples per path and kind; bounded memory. */
export class HarnessLatency {
  private readonly samples: Record<StampPath, Record<LatencyKind, { t: number[]; ns: number[] }>> = {
    main: { receive: { t: [], ns: [] }, schedule: { t: [], ns: [] } },
    wire: { receive: { t: [], ns: [] }, schedule: { t: [], ns: [] } },
  };
  private wire: string | undefined;

  /**
   * The stamps this node's timing verdicts judge are taken off the main thread by `engine` (kernel receive
   * stamps, the helper's send stamps): main-thread timer lateness does not enter them.
   */
  stampedOnWire(engine: string): void {
    this.wire = engine;
  }

  /** Which path the judged stamps come from. */
  get stampPath(): StampPath {
    return this.wire === undefined ? 'main' : 'wire';
  }

  record(kind: LatencyKind, latencyNs: number, atNs: number, path: StampPath = 'main'): void {
    if (!Number.isFinite(latencyNs)) return;
    const s = this.samples[path][kind];
    s.t.push(atNs);
    s.ns.push(latencyNs);
    if (s.t.length > 2 * KEEP) {
      s.t.splice(0, s.t.length - KEEP);
      s.ns.splice(0, s.ns.length - KEEP);
    }
  }

  /** Statistics of the samples the uncertainty of a verdict on this node's stamps is made of. */
  judgedStats(fromNs = 0, toNs = Number.POSITIVE_INFINITY): LatencyStats {
    return this.stats(fromNs, toNs, this.wire === undefined ? undefined : 'wire');
  }

  /** Which engine stamps this node's judged frames off the main thread, if one does. */
  get wireEngine(): string | undefined {
    return this.wire;
  }

  /** Statistics of the samples observed in [fromNs, toNs]: of one path, or (default) of both. */
  stats(fromNs = 0, toNs = Number.POSITIVE_INFINITY, path?: StampPath): LatencyStats {
    const paths: StampPath[] = path ? [path] : ['main', 'wire'];
    return { receive: this.distribution('receive', paths, fromNs, toNs), schedule: this.distribution('schedule', paths, fromNs, toNs) };
  }

  /**
   * Uncertainty of an interval between two stamps taken in [fromNs, toNs]: a stamp may be late by the
   * receive delay, and by as much as the event loop that takes it lags (our timers' lateness). The two
   * components (p99 each) are combined as a root sum of squares, as the GUM combines independent ones.
   * Stamps taken on the wire carry that path's own receive and send-lateness figures only. Divided by
   * `intervals` for a mean over that many consecutive gaps, whose error is only that of its two end stamps.
   */
  uncertainty(fromNs: number, toNs: number, intervals = 1): TimingUncertainty {
    const onWire = this.wire !== undefined;
    const s = this.judgedStats(fromNs, toNs);
    const part = (d: LatencyDistribution) => (d.count ? d.p99Ms : 0);
    const valueMs = Math.hypot(part(s.receive), part(s.schedule)) / Math.max(1, intervals);
    const per = intervals > 1 ? `, over a mean of ${intervals} intervals` : '';
    const where = onWire ? this.wireBasis(fromNs, toNs) : '';
    return {
      valueMs,
      source: `harness latency in this test${where || ','} p99s combined by root sum of squares (clock ms): ${describeStats(s)}${per}`,
    };
  }

  /** Says which stamps are judged, and that the main thread's lateness (shown) is left out of them. */
  private wireBasis(fromNs: number, toNs: number): string {
    const main = this.distribution('schedule', ['main'], fromNs, toNs);
    const left = main.count ? `; main-thread timer lateness, p99 ${main.p99Ms.toFixed(2)} ms, does not enter them` : '';
    return `, frames stamped off the main thread by the ${this.wire}${left};`;
  }

  private distribution(kind: LatencyKind, paths: StampPath[], fromNs: number, toNs: number): LatencyDistribution {
    const xs: number[] = [];
    for (const path of paths) {
      const s = this.samples[path][kind];
      for (let i = 0; i < s.t.length; i++) if (s.t[i] >= fromNs && s.t[i] <= toNs) xs.push(s.ns[i]);
    }
    if (!xs.length) return { count: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
    // A remote hub's clock is not ours: only the spread above the smallest delay seen is taken as latency
    // (the constant part cannot be told from the clocks' offset; on one host it is the ~µs of loopback).
    let floor = 0;
    if (kind === 'receive') {
      floor = Number.POSITIVE_INFINITY;
      for (const x of xs) if (x < floor) floor = x;
    }
    const sorted = xs.map((x) => Math.max(0, x - floor)).sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] / 1e6;
    return { count: sorted.length, p50Ms: at(50), p99Ms: at(99), maxMs: sorted[sorted.length - 1] / 1e6 };
  }
}

/** "receive p50 0.01 / p99 0.20 / max 0.90 ms (n 412); schedule …" */
export function describeStats(s: LatencyStats): string {
  const one = (k: LatencyKind) => {
    const d = s[k];
    return d.count
      ? `${k} p50 ${d.p50Ms.toFixed(2)} / p99 ${d.p99Ms.toFixed(2)} / max ${d.maxMs.toFixed(2)} ms (n ${d.count})`
      : `${k}: no samples`;
  };
  return `${one('receive')}; ${one('schedule')}`;
}
