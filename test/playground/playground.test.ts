/**
 * The playground in real headless Chromium: the page built by vite
 * (`npm run playground:build`), served from loopback, with the whole
 * compiler running in the page's worker. As a person would: the example
 * loads and is decided; a policy with a mistake gets its diagnostic at the
 * right place (listed, and painted under the right characters); fixing it
 * clears the problems and the request is decided by the right rule, with the
 * explanation and the tests run; the link in the address bar restores the
 * page. A screenshot goes to test-output/playground.png for people to look at.
 *
 * Needs /usr/bin/chromium (Debian package `chromium`); skipped loudly
 * without it, except under CI where it fails. Builds the page itself.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveDirectory } from "../hosts/serve.js";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present && process.env["CI"] === undefined) {
  process.stderr.write(`\n*** SKIPPING the playground test: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI this test fails instead. ***\n\n`);
}
const ROOT = join(import.meta.dirname, "..", "..");
const SCREENSHOT = join(ROOT, "test-output", "playground.png");

describe.skipIf(!present && process.env["CI"] === undefined)("the playground in Chromium", () => {
  let server: Awaited<ReturnType<typeof serveDirectory>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, "node_modules", "vite", "bin", "vite.js"), "build", "--config", join(ROOT, "playground", "vite.config.ts")], { cwd: ROOT, stdio: "pipe" });
    server = await serveDirectory(join(ROOT, "playground", "dist"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Waits until the page has finished `n` evaluations and none is pending. */
  const settled = (n: number, on: Page = page) => on.waitForFunction(`Number(document.body.dataset.runs ?? 0) >= ${n} && document.body.dataset.busy === "false"`, undefined, { timeout: 120_000 });
  let runs = 0;
  const edit = async (selector: string, text: string) => {
    await page.locator(`${selector} textarea`).fill(text);
    await settled(++runs);
  };

  it("loads the example and decides its request with the compiled module", async () => {
    await page.goto(`${server.url}/index.html`);
    await settled(++runs);
    expect(await page.locator("#decision .effect").textContent()).toBe("approve");
    expect(await page.locator("#decision .rule-id").allTextContents()).toEqual(["review_production"]);
    expect(await page.locator("#test-summary").textContent()).toBe("3 passed, 0 failed");
    expect(errors).toEqual([]);
  }, 180_000);

  it("shows a mistake where it is, and decides again once it is fixed", async () => {
    const good = await page.locator("#policy textarea").inputValue();
    const broken = good.replace("when args.repo in production_repos", "when args.repoo in production_repos");
    expect(broken).not.toBe(good);
    await edit("#policy", broken);
    const line = broken.slice(0, broken.indexOf("args.repoo")).split("\n").length;
    const column = broken.indexOf("args.repoo") - broken.lastIndexOf("\n", broken.indexOf("args.repoo"));
    const problem = page.locator("#diagnostics li[data-code='AGP201']");
    await expect.poll(() => problem.count()).toBe(1);
    expect(await problem.locator(".where").textContent()).toBe(`policy.agp:${line}:${column}`);
    expect(await problem.textContent()).toContain("help: did you mean `args.repo`?");
    // The underlined characters (split into spans by token colour) are exactly the misspelt path.
    expect((await page.locator("#policy .paint .mark-error").allTextContents()).join("")).toBe("args.repoo");
    expect(await page.locator("#decision").textContent()).toContain("fix the errors");
    await page.screenshot({ path: SCREENSHOT.replace(".png", "-error.png") });

    await edit("#policy", good);
    expect(await page.locator("#diagnostics li[data-code]").count()).toBe(0);
    expect(await page.locator("#policy .paint .mark-error").count()).toBe(0);
    const request = JSON.parse(await page.locator("#request textarea").inputValue()) as { action: string; args: Record<string, unknown> };
    await edit("#request", JSON.stringify({ ...request, action: "github.pull_request.merge", args: { repo: "acme/tools", number: 7, merge_method: "squash" } }, null, 2));
    expect(await page.locator("#decision .effect").textContent()).toBe("deny");
    expect(await page.locator("#decision .rule-id").allTextContents()).toEqual(["never_merge"]);
    expect(await page.locator("#decision").textContent()).toContain("agents open pull requests; humans merge them");
    expect(await page.locator("#explain").textContent()).toContain("rule never_merge (policy.agp:");
    await edit("#request", JSON.stringify(request, null, 2));
    expect(await page.locator("#explain").textContent()).toMatch(/args\.repo in production_repos = true\n\s+args\.repo = "acme\/payments"/);
    mkdirSync(join(ROOT, "test-output"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    process.stdout.write(`playground screenshots: ${SCREENSHOT} and ${SCREENSHOT.replace(".png", "-error.png")}\n`);
    expect(errors).toEqual([]);
  }, 180_000);

  it("restores the page from the link in the address bar", async () => {
    await page.click('[data-tab="tests"]');
    await edit("#tests", (await page.locator("#tests textarea").inputValue()) + '\ntest "an extra case":\n  request github.pull_request.merge { repo: "acme/x", number: 1, merge_method: "merge" }\n  expect allow\n');
    expect(await page.locator("#test-summary").textContent()).toBe("3 passed, 1 failed");
    const url = page.url();
    expect(url).toMatch(/#s=[A-Za-z0-9_-]+$/);
    const other = await browser.newPage();
    await other.goto(url);
    await settled(1, other);
    await other.click('[data-tab="tests"]');
    expect(await other.locator("#tests textarea").inputValue()).toBe(await page.locator("#tests textarea").inputValue());
    expect(await other.locator("#test-summary").textContent()).toBe("3 passed, 1 failed");
    await other.close();
  }, 180_000);
});
