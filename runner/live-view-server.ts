// The live bench view's HTTP server: the page at /, the state as JSON at /state.json, and server-sent events at
// /events — on connect the whole state with the chart history, then a few times a second the state and only the
// chart points that are new. Bound to 127.0.0.1 unless the lab asks for another address (--ui-host).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Timeline, TimelineEvent } from '../drivers/core/timeline.ts';
import { UsageError } from '../drivers/core/errors.ts';
import { LIVE_VIEW_PAGE } from './live-view-page.ts';
import { LiveViewState } from './live-view-state.ts';

export const DEFAULT_UI_PORT = 7415;
export const DEFAULT_UI_HOST = '127.0.0.1';
/** Wall-clock period of the pushes: smooth enough for a human, light on a loaded bench PC. */
const PUSH_MS = 250;

export interface LiveViewOptions {
  host?: string;
  /** 0: any free port (the URL says which). */
  port?: number;
  /** Tests the run selected (a replay learns it from the run's start event). */
  total?: number;
  /** `mcs-hil emulate`: show the emulated charger's own record (runner/live-view-state.ts). */
  chargerSide?: boolean;
}

export interface LiveView {
  url: string;
  state: LiveViewState;
  see(e: TimelineEvent): void;
  /** Follow a timeline until close(), from the events it still holds in memory. */
  follow(timeline: Timeline): void;
  /** Push the last state, tell the pages the run ended, stop serving. */
  close(): Promise<void>;
}

export async function startLiveView(o: LiveViewOptions = {}): Promise<LiveView> {
  const state = new LiveViewState(o.total ?? 0, o.chargerSide);
  const clients = new Set<ServerResponse>();
  let dirty = true;
  const unsubscribers: (() => void)[] = [];

  const send = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const push = () => {
    const points = state.takeNewPoints();
    if (!dirty && points.length === 0) return;
    dirty = false;
    const snapshot = state.snapshot();
    for (const c of clients) send(c, 'state', { state: snapshot, points });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(LIVE_VIEW_PAGE);
    } else if (path === '/state.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ state: state.snapshot(), points: state.points() }));
    } else if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      push(); // the others get what is new first, so the newcomer's full history is not sent twice
      clients.add(res);
      send(res, 'state', { state: state.snapshot(), points: state.points(), reset: true });
      req.on('close', () => clients.delete(res));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: the live view is at /\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          `live view: cannot listen on ${o.host ?? DEFAULT_UI_HOST}:${o.port ?? DEFAULT_UI_PORT}: ${e.code ?? e.message}` +
            (e.code === 'EADDRINUSE' ? ' (another run has it: choose another port with --ui PORT, or 0 for any)' : ''),
        ),
      ),
    );
    server.listen(o.port ?? DEFAULT_UI_PORT, o.host ?? DEFAULT_UI_HOST, () => resolve());
  });
  const timer = setInterval(push, PUSH_MS);
  timer.unref();
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  const see = (e: TimelineEvent) => {
    state.see(e);
    dirty = true;
  };
  return {
    url: `http://${host}:${addr.port}/`,
    state,
    see,
    follow(timeline) {
      for (const e of timeline.query({ afterSeq: 0 })) see(e);
      unsubscribers.push(timeline.subscribe(see));
    },
    async close() {
      for (const u of unsubscribers) u();
      clearInterval(timer);
      push();
      for (const c of clients) {
        send(c, 'end', {});
        c.end();
      }
      clients.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `mcs-hil emulate --ui`: once the charger side serves, a live view of it; returns how to stop the view. */
export function liveViewOfCharger(o: LiveViewOptions): (bench: { timeline: Timeline }) => Promise<() => Promise<void>> {
  return async (bench) => {
    const view = await startLiveView({ ...o, chargerSide: true });
    view.follow(bench.timeline);
    process.stdout.write(`live view: ${view.url}\n`);
    return () => view.close();
  };
}
