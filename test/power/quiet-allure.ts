// Outside `mcs-hil run` there is no Allure runtime; its no-op warns on every step. Keep a test file's output
// readable: call once inside its describe().
export function quietAllureOutsideRun(): void {
  const warn = console.warn;
  before(() => {
    console.warn = (...a: unknown[]) => {
      if (!String(a[0]).startsWith('no sync test runtime')) warn(...a);
    };
  });
  after(() => {
    console.warn = warn;
  });
}
