// One POST of a JSON body to an alert receiver, with a deadline. The URL is a secret (a Slack
// webhook's token is its path): it never appears in what this returns, whatever went wrong.
import { redactSecret } from '../domain/redact.js';

export type PostResult = { ok: true } | { ok: false; error: string };

/** Why a request failed, in the operator's words: "HTTP 500", "connection refused", "no answer within 5000 ms". */
function failure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed by the receiver';
    default:
      return cause?.message ?? (error instanceof Error ? error.message : String(error));
  }
}

/** `stop` ends a request in flight when opsdeck quits: a receiver that hangs must not hold the exit. */
export async function postJson(url: string, body: unknown, timeoutMs: number, stop?: AbortSignal): Promise<PostResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? { ok: true } : { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: redactSecret(failure(error, timeoutMs), url) };
  }
}
