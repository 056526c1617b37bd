/**
 * A bounded load generator for serve tests: `workers` concurrent loops of
 * `POST /v1/check`, each with a fresh request id, until stopped or `max`
 * requests were sent. Records every answer (status, result, audit hash,
 * policy version) or transport error, in order per worker.
 */

/** One request's fate. */
export interface Sent {
  readonly worker: number;
  readonly requestId: string;
  readonly status: number | "error";
  readonly action?: string;
  readonly audit?: string;
  readonly version?: string;
}

/** Starts the load; `stop()` ends it and resolves with every answer. */
export function startLoad(url: string, request: () => unknown, options: { workers?: number; max?: number; prefix?: string } = {}): { stop(): Promise<Sent[]>; count(): number } {
  const workers = options.workers ?? 6;
  const max = options.max ?? 4000;
  const sent: Sent[] = [];
  let stopped = false;
  let n = 0;
  const loop = async (worker: number): Promise<void> => {
    while (!stopped && n < max) {
      const requestId = `${options.prefix ?? "load"}-${worker}-${n++}`;
      try {
        const response = await fetch(`${url}/v1/check`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ requestId, request: request() }), signal: AbortSignal.timeout(15_000) });
        const json = (await response.json().catch(() => undefined)) as { action?: string; audit?: string; decision?: { policy?: { version?: string } } } | undefined;
        sent.push({ worker, requestId, status: response.status, ...(json?.action === undefined ? {} : { action: json.action }), ...(json?.audit === undefined ? {} : { audit: json.audit }), ...(json?.decision?.policy?.version === undefined ? {} : { version: json.decision.policy.version }) });
      } catch {
        sent.push({ worker, requestId, status: "error" });
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  const running = Promise.all(Array.from({ length: workers }, (_, i) => loop(i)));
  return {
    count: () => sent.length,
    async stop() {
      stopped = true;
      await running;
      return sent;
    },
  };
}

/** Resolves once `check` is true (polling every 50 ms), or rejects after `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
}
