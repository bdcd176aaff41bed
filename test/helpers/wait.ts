// Polls a condition instead of sleeping a fixed time: fast when things work, clear when they do not.
// The one waiting helper of the tests (the SSH and database tests had their own, in other orders).

/**
 * Calls `probe` until it returns a value (not undefined or false) and returns that value. A probe
 * that throws is asked again (a server still starting, a file not yet written); when the time is up
 * the error names `what` and the probe's last error.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      // Awaited: an async probe's promise is not its answer (a timeline test passed it on unread, racing the file's flush).
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : `; last error: ${String(lastError)}`}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
