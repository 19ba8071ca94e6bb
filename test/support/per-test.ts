// A test's own rig (an emulated charger and a vehicle on a virtual link, or any set of resources): opened
// by the test, closed after it whatever the outcome, so the next test starts from nothing left over.

export interface Closable {
  close(): Promise<void>;
}

/** Wrap `open` so that what it opens in a test is closed after that test (registers the afterEach hook). */
export function openPerTest<A extends unknown[], R extends Closable>(open: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const opened: R[] = [];
  afterEach(async function () {
    for (const r of opened.splice(0).reverse()) await r.close();
  });
  return async (...args: A) => {
    const r = await open(...args);
    opened.push(r);
    return r;
  };
}
