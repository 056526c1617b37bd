/**
 * workerd (Cloudflare's Workers runtime, npm `workerd`) as a host: a worker
 * imports the runtime as plain ES modules and the compiled example policy as
 * a `wasm` module binding (workers cannot compile bytes at run time), passes
 * that Module to `loadPolicy`, and answers HTTP requests on loopback:
 * POST /decide (a JSON body {request, state}, the JS-object path) and
 * POST /decide-json (the raw request bytes, state in `x-agp-state`, the JSON
 * path). Every answer must equal the Node path's decision.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "../stdlib/stdlib-build.js";
import { hostFixture, writeFixture, type HostFixture } from "./fixture.js";
import { writeRuntime } from "./runtime-dist.js";

const WORKER = `
import { loadPolicy, loadJsonDecider } from "./runtime/index.js";
import policy from "./policy.wasm";
let ready;
export default {
  async fetch(req) {
    ready ??= (async () => { const engine = await loadPolicy(policy); return { engine, json: await loadJsonDecider(engine) }; })();
    const { engine, json } = await ready;
    const path = new URL(req.url).pathname;
    if (path === "/decide") { const body = await req.json(); return Response.json(engine.decide(body.request, body.state)); }
    if (path === "/decide-json") {
      const state = req.headers.get("x-agp-state");
      return Response.json(json.decideJson(new Uint8Array(await req.arrayBuffer()), state === null ? undefined : JSON.parse(state)));
    }
    return new Response("not found", { status: 404 });
  },
};
`;

function config(port: number, modules: readonly string[]): string {
  const list = [
    `(name = "worker.js", esModule = embed "worker.js")`,
    ...modules.map((m) => `(name = "runtime/${m}", esModule = embed "runtime/${m}")`),
    `(name = "policy.wasm", wasm = embed "policy.wasm")`,
  ];
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${list.join(",\n    ")} ],
  compatibilityDate = "2024-09-23",
);
`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let fx: HostFixture;
let child: ChildProcess | undefined;
let base = "";
let log = "";
const dir = mkdtempSync(join(tmpdir(), "agp-workerd-host-"));

beforeAll(async () => {
  fx = await hostFixture();
  writeFixture(fx, dir);
  const modules = writeRuntime(join(dir, "runtime"));
  writeFileSync(join(dir, "worker.js"), WORKER);
  const port = await freePort();
  writeFileSync(join(dir, "config.capnp"), config(port, modules));
  child = spawn(join(ROOT, "node_modules/.bin/workerd"), ["serve", "config.capnp"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${base}/`);
      break;
    } catch {
      if (i > 300 || child.exitCode !== null) throw new Error(`workerd did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}, 120_000);

afterAll(() => {
  if (child?.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

it("a worker answers HTTP requests with the Node path's decisions, on the object path and the JSON path", async () => {
  const expected = JSON.parse(JSON.stringify(fx.expected)) as unknown[];
  for (let i = 0; i < fx.cases.length; i++) {
    const c = fx.cases[i]!;
    const object = await fetch(`${base}/decide`, { method: "POST", body: JSON.stringify({ request: c.request, state: c.state }) });
    expect(object.status, log).toBe(200);
    expect(await object.json(), JSON.stringify(c)).toEqual(expected[i]);
    const headers: Record<string, string> = c.state === undefined ? {} : { "x-agp-state": JSON.stringify(c.state) };
    const json = await fetch(`${base}/decide-json`, { method: "POST", body: JSON.stringify(c.request), headers });
    expect(json.status, log).toBe(200);
    expect(await json.json(), JSON.stringify(c)).toEqual(expected[i]);
  }
}, 240_000);
