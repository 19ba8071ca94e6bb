// Where a process's memory sits, once a second, for perf/memory.ts (issue 14, item 4): preloaded into a run with
//   MCS_HIL_MEMORY_PROBE=/tmp/probe.jsonl NODE_OPTIONS=--import=./perf/memory-probe.mjs node bin/mcs-hil.mjs run …
// (plain JavaScript: it loads before tsx does)
// Each line splits the RSS into what V8 holds (heap spaces, code), what Buffers/ArrayBuffers hold (external),
// and the rest (native: malloc arenas, TLS, libuv, thread stacks), with the thread count: the RSS alone does
// not say which of them to fix.

import { appendFileSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const file = process.env.MCS_HIL_MEMORY_PROBE;
const MB = 1 / (1024 * 1024);
const round = (x) => Math.round(x * 10) / 10;

function procStatus() {
  const out = {};
  for (const line of readFileSync('/proc/self/status', 'utf8').split('\n')) {
    const m = /^(VmRSS|RssAnon|RssFile|VmHWM|Threads):\s+(\d+)/.exec(line);
    if (m) out[m[1]] = m[1] === 'Threads' ? Number(m[2]) : round(Number(m[2]) / 1024);
  }
  return out;
}

function sample(t0) {
  const m = process.memoryUsage();
  const h = getHeapStatistics();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), round(s.space_size * MB)]));
  return {
    pid: process.pid,
    s: Math.round((Date.now() - t0) / 1000),
    rssMB: round(m.rss * MB),
    heapTotalMB: round(m.heapTotal * MB),
    heapUsedMB: round(m.heapUsed * MB),
    externalMB: round(m.external * MB),
    arrayBuffersMB: round(m.arrayBuffers * MB),
    mallocedMB: round(h.malloced_memory * MB),
    peakMallocedMB: round(h.peak_malloced_memory * MB),
    // What neither V8's heap nor its external accounting covers: malloc arenas, OpenSSL, libuv, stacks, code.
    otherMB: round((m.rss - m.heapTotal - m.external) * MB),
    spaces,
    handles: process.getActiveResourcesInfo().length,
    ...procStatus(),
  };
}

if (file && isMainThread) {
  const t0 = Date.now();
  // MCS_HIL_MEMORY_PROBE_GC=1 (with --expose-gc): a full GC before each line, so heapUsed is what is live, not garbage yet.
  const collect = process.env.MCS_HIL_MEMORY_PROBE_GC === '1' ? globalThis.gc : undefined;
  const write = () => {
    collect?.();
    appendFileSync(file, JSON.stringify(sample(t0)) + '\n');
  };
  setInterval(write, 1000).unref();
  process.on('exit', write);
}
