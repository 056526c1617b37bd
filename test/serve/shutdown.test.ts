/**
 * `agp serve` going down under load: SIGTERM finishes what is in flight,
 * flushes the audit log and exits 0, and the log verifies; `kill -9` loses
 * nothing that was answered: every audit hash a client received is in the
 * file, the chain verifies, and the service starts again on the same state.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agp, serve, shell, stopAll, workspace } from "./harness.js";
import { startLoad, until } from "./load.js";

afterAll(stopAll);

async function underLoad(signal: NodeJS.Signals) {
  const w = await workspace();
  const policy = await w.bundle("policy.wasm", "1.0.0");
  const state = join(w.dir, "state");
  const s = await serve(["--policy", policy, ...w.trust, "--state", state], w.dir);
  const load = startLoad(s.url, () => shell("ls"), { workers: 8, max: 5000, prefix: signal });
  await until(() => load.count() > 200);
  const code = await s.stop(signal);
  const sent = await load.stop();
  const audit = await readFile(join(state, "audit.jsonl"), "utf8");
  return { w, policy, state, code, sent, audit };
}

describe("agp serve: shutdown under load", () => {
  it("SIGTERM: in-flight checks finish, exit 0, every answered run is in an audit log that verifies", async () => {
    const { w, state, code, sent, audit } = await underLoad("SIGTERM");
    expect(code).toBe(0);
    const answered = sent.filter((r) => r.status === 200);
    expect(answered.length).toBeGreaterThan(150);
    // Nothing else but a refusal to start new work (503) or a closed connection.
    expect(sent.filter((r) => r.status !== 200 && r.status !== 503 && r.status !== "error")).toEqual([]);
    for (const r of answered) expect(audit).toContain(r.audit!);
    const verify = await agp(["audit", "verify", join(state, "audit.jsonl")], w.dir);
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/: intact, \d+ entries, head sha256:/);
  });

  it("kill -9: nothing acknowledged is missing from the log, the chain verifies, and the service starts again", async () => {
    const { w, policy, state, code, sent, audit } = await underLoad("SIGKILL");
    expect(code).toBeNull();
    const answered = sent.filter((r) => r.status === 200);
    expect(answered.length).toBeGreaterThan(150);
    const missing = answered.filter((r) => !audit.includes(r.audit!));
    expect(missing).toEqual([]);
    const verify = await agp(["audit", "verify", join(state, "audit.jsonl")], w.dir);
    expect(verify.out).toMatch(/: intact, \d+ entries/);
    const again = await serve(["--policy", policy, ...w.trust, "--state", state], w.dir);
    const exit = await again.stop();
    expect(exit, `${again.child.signalCode} ${again.err()}`).toBe(0);
  });
});
