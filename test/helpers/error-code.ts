/**
 * The stable `code` a call throws, or undefined when it returns: negative tests assert the exact
 * code. Errors of any other class are re-thrown so an unexpected crash fails the test loudly.
 */
export function errorCodeOf(fn: () => unknown, errorClass: abstract new (...args: never[]) => { code: string }): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof errorClass) return error.code;
    throw error;
  }
  return undefined;
}
