// The live bench view as a lab engineer uses it: `mcs-hil run --ui` on an emulated GB/T charger with a fault
// switched on, watched in headless Chromium (playwright-core + /usr/bin/chromium) while the run goes on — the
// page must show the test in progress and the protocol stage, a chart that advances, the charger's limits and
// the failure banner — then `mcs-hil ui RUN` replays the finished run's timeline into the same page.
// The bench is the GB/T port on the real clock with in-process CAN (test/ui/fixtures): no veth pair to wait for.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../../reports/report-check.ts';
import { ROOT, mcsHilAsync, onlyRunDir, tmp } from '../foundation/helpers.ts';

/** A promise that never settles: a wait with no end but its own. */
const NEVER = new Promise<never>(() => {});

/** Screenshots stay after the test (out/ is git-ignored): the page as the engineer saw it. */
const SHOTS = join(ROOT, 'out', 'test-output', 'live-view');

describe('live bench view (--ui, Chromium)', function () {
  this.timeout(0); // a real-time run of one short GB/T test: as long as the machine needs
  let browser: Browser;
  let out: string;
  const started: ChildProcess[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM_PATH)) this.skip();
    mkdirSync(SHOTS, { recursive: true });
    out = tmp('mcs-ui-');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async function () {
    await browser?.close();
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  });

  it('follows a run live: progress, protocol stage, an advancing chart, limits and the fault banner', async function () {
    const run = spawnWithUrl([
      'run',
      '--bench',
      'test/ui/fixtures/gbt-real-time.yaml',
      '--suite',
      'gbt27930',
      '--grep',
      'stops the output after BST',
      '--fault',
      'slow-stop-after-bst',
      '--out',
      out,
      '--clock-rate',
      '2',
      '--ui',
      '0',
    ]);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(await run.url);

    // The run's end: the page got the last state and the 'end' event (or lost the connection).
    const final = run.exit.then(() =>
      until(page, `/ended|disconnected/.test(document.getElementById('conn').textContent)`, NEVER, 'the end'),
    );
    await waitForText(page, '#progress', /test 1 of 1/, final);
    await waitForText(page, '#test', /stops the output after BST/, final);
    await waitForText(page, '#stage', /bms: (charging|stopping|statistics)/, final);
    // The chart advances: its newest point moves on while the test runs.
    const chartAfter = (t0: number) => `Number(document.getElementById('chart').dataset.lastT) > ${t0}`;
    await until(page, chartAfter(0), final, 'a chart point');
    const first = await lastChartTime(page);
    await until(page, chartAfter(first + 1), final, `the chart advancing 1 s past ${first} s`);
    await waitForText(page, '#limits', /max current\s*400 A/, final);
    await page.screenshot({ path: join(SHOTS, 'live-run.png') });

    // The check the fault breaks fails: the banner says so, and stays after the run ended.
    await waitForText(page, '[data-testid=banner]', /FAILED: .*stops the output after BST.*BST stop/, final);
    expect(await page.locator('#banner').getAttribute('class')).to.equal('failed');
    await waitForText(page, '#conn', /run ended/, final);
    await waitForText(page, '#run-state', /finished \(exit code 1\)/, final);
    expect(await page.locator('#faults').innerText()).to.contain('slow-stop-after-bst');
    await page.screenshot({ path: join(SHOTS, 'live-run-end.png'), fullPage: true });
    expect(await run.exit).to.equal(1);
    await page.close();
  });

  it("replays a finished run's timeline (mcs-hil ui RUN)", async function () {
    if (!existsSync(join(out, 'runs'))) this.skip();
    const replay = spawnWithUrl(['ui', onlyRunDir(out), '--port', '0', '--speed', '0']);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(await replay.url);
    // Replayed at once: after the replay's last line a fresh connection gets the final state in its first message.
    const final = replay.replayed.then(async () => {
      await page.reload();
      await until(page, `document.getElementById('conn').textContent === 'live'`, NEVER, 'a connection');
    });
    await waitForText(page, '[data-testid=banner]', /FAILED: .*stops the output after BST/, final);
    await waitForText(page, '#flow', /handshake → recognition → configuration → charging/, final);
    await waitForText(page, '#message-list', /CST/, final);
    expect(Number(await page.locator('#chart').getAttribute('data-points'))).to.be.greaterThan(100);
    await page.screenshot({ path: join(SHOTS, 'replay.png'), fullPage: true });
    await page.close();
    replay.child.kill('SIGINT'); // the replay serves until Ctrl-C
    expect(await replay.exit).to.equal(0);
  });

  /** Start `mcs-hil …`, resolve the live view's URL from its first lines of output. */
  function spawnWithUrl(args: string[]) {
    const child = mcsHilAsync(args);
    started.push(child);
    let text = '';
    const url = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => {
        text += b.toString();
        const m = /live view(?: at)?:? (http:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`mcs-hil ${args[0]} ended before serving the live view:\n${text}`)));
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const replayed = new Promise<void>((resolve) => {
      child.stdout!.on('data', () => /live view: replayed/.test(text) && resolve());
      child.on('exit', () => resolve());
    });
    return { child, url, exit, replayed };
  }
});

async function lastChartTime(page: Page): Promise<number> {
  return Number(await page.locator('#chart').getAttribute('data-last-t'));
}

/**
 * Wait until the predicate holds in the page (it updates a few times a second). No clock limit: once `final`
 * resolves the page shows its last state, and a predicate that does not hold then never will.
 */
async function until(page: Page, expression: string, final: Promise<unknown>, what: string): Promise<void> {
  const seen = page.waitForFunction(expression, undefined, { timeout: 0 }).then(
    () => true,
    () => false,
  );
  const ok = await Promise.race([seen, final.then(() => page.evaluate<boolean>(expression))]);
  if (!ok) throw new Error(`the live view never showed ${what}`);
}

async function waitForText(page: Page, selector: string, re: RegExp, final: Promise<unknown>): Promise<void> {
  const q = JSON.stringify;
  const matches = `new RegExp(${q(re.source)}, ${q(re.flags)}).test(document.querySelector(${q(selector)})?.textContent ?? '')`;
  try {
    await until(page, matches, final, `${selector} matching ${re}`);
  } catch (e) {
    const shown = await page
      .locator(selector)
      .innerText()
      .catch(() => '(no such element)');
    throw new Error(`${(e as Error).message}; it shows: ${shown}`);
  }
}
