// The error a promise rejects with, for tests that then check its type and message; a promise that
// resolves fails the test.

export async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}
