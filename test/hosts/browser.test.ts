/**
 * Headless Chromium as a host: a page served from loopback imports the
 * runtime as plain ES modules, loads the compiled example policy from bytes
 * and from `WebAssembly.compileStreaming` (a precompiled Module), and decides
 * the host request set on the JS-object path and the JSON path. Every
 * decision must equal the Node path's.
 *
 * Needs /usr/bin/chromium (Debian package `chromium`). Without it the test is
 * skipped with a loud message, except under CI (`CI` set), where it fails.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostFixture, writeFixture, type HostFixture } from "./fixture.js";
import { writeRuntime } from "./runtime-dist.js";
import { serveDirectory } from "./serve.js";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present && process.env["CI"] === undefined) {
  process.stderr.write(`\n*** SKIPPING the Chromium host test: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI this test fails instead. ***\n\n`);
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>agp host test</title>
<script type="module">
import { loadPolicy, loadJsonDecider } from "./runtime/index.js";
try {
  const bytes = await (await fetch("./policy.wasm")).arrayBuffer();
  const fromBytes = await loadPolicy(bytes);
  const fromModule = await loadPolicy(await WebAssembly.compileStreaming(fetch("./policy.wasm")));
  const json = await loadJsonDecider(fromModule);
  const cases = await (await fetch("./cases.json")).json();
  window.agpResults = cases.map((c) => [fromBytes.decide(c.request, c.state), fromModule.decide(c.request, c.state), json.decideJson(JSON.stringify(c.request), c.state)]);
} catch (error) {
  window.agpResults = String(error && error.stack || error);
}
</script>`;

describe.skipIf(!present && process.env["CI"] === undefined)("Chromium", () => {
  let fx: HostFixture;
  const dir = mkdtempSync(join(tmpdir(), "agp-browser-host-"));
  let server: Awaited<ReturnType<typeof serveDirectory>>;

  beforeAll(async () => {
    fx = await hostFixture();
    writeFixture(fx, dir);
    writeRuntime(join(dir, "runtime"));
    writeFileSync(join(dir, "index.html"), PAGE);
    server = await serveDirectory(dir);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("decides the host request set exactly as the Node path, from bytes, from a compiled Module and from JSON bytes", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => (globalThis as { agpResults?: unknown }).agpResults !== undefined, undefined, { timeout: 60_000 });
      const results = await page.evaluate(() => (globalThis as { agpResults?: unknown }).agpResults);
      expect(errors).toEqual([]);
      if (typeof results === "string") throw new Error(`the page failed: ${results}`);
      const out = results as unknown[][];
      const expected = JSON.parse(JSON.stringify(fx.expected)) as unknown[];
      expect(out).toHaveLength(expected.length);
      out.forEach((three, i) => {
        for (const decision of three) expect(decision, JSON.stringify(fx.cases[i])).toEqual(expected[i]);
      });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
