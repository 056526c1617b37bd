/**
 * When agp serve cannot make an answer durable (ADR 0041, write-behind): a
 * write(2) of the audit log fails (a full disk), and from then on every
 * answer is 503 `not_durable` with the failure in its message, never an
 * allow, and the audit log holds no line after the gap. In process, with
 * node:fs's writeSync replaced so that writes to the audit file fail.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../runtime/serve/server.js";
import { call, shell, workspace } from "./harness.js";

const fs = createRequire(import.meta.url)("node:fs") as typeof import("node:fs");
const realWriteSync = fs.writeSync;
let failAudit = false;

beforeAll(() => {
  (fs as { writeSync: unknown }).writeSync = (fd: number, ...rest: unknown[]) => {
    if (failAudit && readlinkSync(`/proc/self/fd/${fd}`).endsWith("audit.jsonl")) {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    }
    return (realWriteSync as (...a: unknown[]) => number)(fd, ...rest);
  };
  syncBuiltinESMExports();
});
afterAll(() => {
  (fs as { writeSync: unknown }).writeSync = realWriteSync;
  syncBuiltinESMExports();
});

describe.skipIf(process.platform !== "linux")("an answer that cannot be made durable", () => {
  it("is 503 not_durable, and so is every later one; the audit log keeps no line after the gap", async () => {
    const ws = await workspace();
    const state = join(ws.dir, "state");
    const server = await startServer({ policy: await ws.bundle("live.wasm", "1.0.0"), trustedKeyFiles: [join(ws.dir, "keys", "k.pub")], state: { kind: "file", directory: state, fsync: "never" }, port: 0, tokens: { admin: undefined, decision: undefined } });
    try {
      const ok = await call(server.url, "POST", "/v1/check", { body: { requestId: "before", request: shell("ls") } });
      expect(ok.status).toBe(200);
      expect(ok.json.action).toBe("run");
      const linesBefore = readFileSync(join(state, "audit.jsonl"), "utf8").split("\n").filter(Boolean).length;

      failAudit = true;
      const failed = await call(server.url, "POST", "/v1/check", { body: { requestId: "during", request: shell("ls") } });
      failAudit = false;
      expect(failed.status).toBe(503);
      expect(failed.json.error).toEqual({ code: "not_durable", message: "the answer could not be made durable (ENOSPC: no space left on device, write); treat it as refused" });

      // The disk has room again, but the log has a gap: nothing more is written or allowed until a restart.
      for (const path of ["/v1/check", "/access/v1/evaluation"]) {
        const body = path === "/v1/check" ? { requestId: "after", request: shell("ls") } : { subject: { type: "agent", id: "ci-fixer" }, action: { name: "shell.exec" }, resource: { type: "shell", id: "x", properties: { command: "ls", timeout_seconds: 60, write_paths: [] } } };
        const later = await call(server.url, "POST", path, { body });
        expect(later.status, path).toBe(503);
        expect(later.json.error.code, path).toBe("not_durable");
      }
      expect(readFileSync(join(state, "audit.jsonl"), "utf8").split("\n").filter(Boolean).length).toBe(linesBefore);
    } finally {
      failAudit = false;
      await server.close().catch(() => undefined);
    }
  });
});
