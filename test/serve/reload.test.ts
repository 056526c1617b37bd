/**
 * Hot reload of `agp serve`: new bundles are swapped in under load with no
 * failed request; bad, unsigned, downgraded, untrusted and revoked-key
 * bundles leave the running engine in place, each refusal audited; a
 * restart refuses a version older than the state has run; a bundle URL is
 * polled; a shadow candidate is reloaded the same way.
 */
import { createServer } from "node:http";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readAuditEntries } from "../../runtime/governance/index.js";
import { moduleBytes } from "../bundle/harness.js";
import { signBundle } from "../../runtime/bundle/index.js";
import { ADMIN, agp, call, deploy, serve, shell, stopAll, workspace } from "./harness.js";
import { startLoad, until } from "./load.js";

afterAll(stopAll);

describe("agp serve: hot reload", () => {
  it("swaps bundles under load (file watch, then POST /v1/reload) with zero failed requests", async () => {
    const w = await workspace();
    const policy = await w.bundle("policy.wasm", "1.0.0");
    const s = await serve(["--policy", policy, ...w.trust, ...w.admin, "--state", join(w.dir, "state"), "--fsync", "never"], w.dir);
    const load = startLoad(s.url, () => shell("ls"), { workers: 6, max: 3000 });
    await until(() => load.count() > 50);
    await w.bundle("policy.wasm", "1.1.0");
    await until(async () => (await call(s.url, "GET", "/v1/bundle")).json.live.policy.version === "1.1.0");
    await until(() => load.count() > 300);
    await w.bundle("policy.wasm", "1.2.0");
    const reloaded = await call(s.url, "POST", "/v1/reload", { token: ADMIN });
    // The watcher may have taken 1.2.0 first; either way 1.2.0 is live.
    expect(["loaded", "unchanged"]).toContain(reloaded.json.live.result);
    expect(reloaded.json.live.version).toBe("1.2.0");
    await until(() => load.count() > 500);
    const sent = await load.stop();
    expect(sent.filter((r) => r.status !== 200 || r.action !== "run")).toEqual([]);
    const versions = new Set(sent.map((r) => r.version));
    expect(versions.has("1.0.0") && versions.has("1.2.0")).toBe(true);
    // Per worker, versions never go back: a request never sees an older engine than one before it.
    for (let worker = 0; worker < 6; worker++) {
      const seen = sent.filter((r) => r.worker === worker).map((r) => r.version!);
      expect(seen).toEqual([...seen].sort());
    }
    expect(await s.stop()).toBe(0);
    const entries = readAuditEntries(await readFile(join(w.dir, "state", "audit.jsonl"), "utf8"));
    expect(entries.filter((e) => e.kind === "bundle.load").map((e) => e["version"])).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
  });

  it("keeps the running engine for a broken, unsigned, downgraded, same-version, untrusted or revoked-key bundle; audits each refusal", async () => {
    const w = await workspace();
    const policy = await w.bundle("policy.wasm", "1.0.0");
    const revoked = join(w.dir, "revoked.txt");
    await writeFile(revoked, "# revoked key ids\n");
    const s = await serve(["--policy", policy, ...w.trust, ...w.admin, "--revoked-keys", revoked, "--state", join(w.dir, "state"), "--no-watch"], w.dir);
    const reload = () => call(s.url, "POST", "/v1/reload", { token: ADMIN });
    const attempts: [() => Promise<unknown>, string, string][] = [
      [() => writeFile(policy, "not a module"), "malformed", "not a WebAssembly module (the file does not start with `\\0asm`)"],
      [() => w.bundle("policy.wasm", "2.0.0", "unsigned"), "unsigned", `${policy} is not a signed bundle; sign it with \`agp bundle sign\`, or start agp serve with --allow-unsigned (development only)`],
      [() => w.bundle("policy.wasm", "0.9.0"), "downgrade", "the bundle version 0.9.0 is not newer than the running version 1.0.0"],
      [() => w.bundle("policy.wasm", "1.0.0", "k", "rule only: allow deploy.*\n"), "downgrade", "the bundle version 1.0.0 is not newer than the running version 1.0.0"],
      [() => w.bundle("policy.wasm", "2.0.0", "other"), "untrusted_key", `the bundle is signed by key \`${w.other.id}\`, which is not a trusted key`],
      [async () => { await writeFile(revoked, `${w.keys.id}\n`); await w.bundle("policy.wasm", "2.0.0"); }, "revoked_key", `the bundle is signed by key \`${w.keys.id}\`, which is revoked`],
    ];
    for (const [make, code, message] of attempts) {
      await make();
      const r = await reload();
      expect(r.status).toBe(422);
      expect(r.json).toEqual({ live: { result: "refused", code, message, version: "1.0.0" } });
      expect((await call(s.url, "GET", "/v1/bundle")).json.live.policy.version).toBe("1.0.0");
      expect((await call(s.url, "POST", "/v1/check", { body: { requestId: `after-${code}-${Math.random()}`, request: shell("ls") } })).json.action).toBe("run");
    }
    await writeFile(revoked, "");
    expect((await reload()).json.live).toEqual({ result: "loaded", version: "2.0.0" });
    expect((await call(s.url, "GET", "/metrics")).text).toMatch(/agp_bundle_reloads_total\{bundle="live",result="refused"\} 6/);
    expect(await s.stop()).toBe(0);
    const refusals = readAuditEntries(await readFile(join(w.dir, "state", "audit.jsonl"), "utf8")).filter((e) => e.kind === "bundle.refuse");
    expect(refusals.map((e) => e["code"])).toEqual(attempts.map(([, code]) => code));
    expect(refusals[0]).toMatchObject({ bundle: "live", trigger: "api", running: { version: "1.0.0" } });

    // Restarting on the same state with an older bundle is a downgrade: refused, audited.
    const old = await w.bundle("old.wasm", "1.0.0");
    const restart = await agp(["serve", "--policy", old, ...w.trust, "--state", join(w.dir, "state"), "--listen", "127.0.0.1:0"], w.dir);
    expect(restart.code).toBe(2);
    expect(restart.err).toBe(`agp: cannot load ${old}: the bundle version 1.0.0 is older than version 2.0.0, which this state has already run\n`);
    const last = readAuditEntries(await readFile(join(w.dir, "state", "audit.jsonl"), "utf8")).at(-1);
    expect(last).toMatchObject({ kind: "bundle.refuse", trigger: "start", code: "downgrade" });
  });

  it("polls a bundle URL (bounded interval) and reloads the shadow candidate the same way", async () => {
    const w = await workspace();
    let served = (await signBundle(moduleBytes("1.0.0"), w.keys.signing)).bundle;
    const origin = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/wasm" }).end(Buffer.from(served));
    });
    await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
    try {
      const port = (origin.address() as { port: number }).port;
      const shadow = await w.bundle("shadow.wasm", "5.0.0", "k", "rule nothing_deploys: deny deploy.*\n");
      const s = await serve(["--policy", `http://127.0.0.1:${port}/policy.wasm`, "--shadow", shadow, ...w.trust, ...w.admin, "--state", join(w.dir, "state"), "--poll-interval", "1"], w.dir);
      const run = await call(s.url, "POST", "/v1/check", { body: { requestId: "d-1", request: deploy() } });
      expect(run.json.action).toBe("run");
      served = (await signBundle(moduleBytes("1.1.0"), w.keys.signing)).bundle;
      await until(async () => (await call(s.url, "GET", "/v1/bundle")).json.live.policy.version === "1.1.0", 15_000);
      await w.bundle("shadow.wasm", "5.1.0", "k", "rule nothing_deploys: deny deploy.*\n");
      await until(async () => (await call(s.url, "GET", "/v1/bundle")).json.shadow?.policy.version === "5.1.0", 15_000);
      await call(s.url, "POST", "/v1/check", { body: { requestId: "d-2", request: deploy("web") } });
      expect(await s.stop()).toBe(0);
      const entries = readAuditEntries(await readFile(join(w.dir, "state", "audit.jsonl"), "utf8"));
      const decisions = entries.filter((e) => e.kind === "decision");
      expect(decisions.map((e) => [(e["policy"] as { version: string }).version, (e["shadow"] as { effect: string; policy: { version: string } }).policy.version, (e["shadow"] as { effect: string }).effect])).toEqual([
        ["1.0.0", "5.0.0", "deny"],
        ["1.1.0", "5.1.0", "deny"],
      ]);
      // A poll reads both locations, so the shadow change may be taken by the poll or by the file watch.
      expect(entries.filter((e) => e.kind === "bundle.load").map((e) => [e["bundle"], e["trigger"] === "watch" ? "poll" : e["trigger"], e["version"]])).toEqual([
        ["live", "start", "1.0.0"],
        ["shadow", "start", "5.0.0"],
        ["live", "poll", "1.1.0"],
        ["shadow", "poll", "5.1.0"],
      ]);
    } finally {
      await new Promise((r) => origin.close(r));
    }
  });
});
