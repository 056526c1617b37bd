/**
 * `agp keygen`, `agp bundle sign` and `agp bundle verify`, in-process:
 * files written, exact output, exit codes.
 */
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { moduleBytes } from "./harness.js";

async function agp(dir: string, ...argv: string[]) {
  const io = captureIo(dir);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

it("keygen writes a private key (0600) and a public key, and refuses to overwrite them", async () => {
  const dir = await mkdtemp(join(tmpdir(), "agp-keygen-"));
  const made = await agp(dir, "keygen", "--out", "release");
  expect(made.code).toBe(0);
  expect(made.out).toMatch(/^wrote release\.key \(private: keep it secret\) and release\.pub \(public\); key id [0-9a-f]{16}\n$/);
  expect((await stat(join(dir, "release.key"))).mode & 0o777).toBe(0o600);
  expect(await readFile(join(dir, "release.pub"), "utf8")).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  expect(await agp(dir, "keygen", "--out", "release")).toEqual({ code: 2, out: "", err: "agp: cannot write release.key: it exists; pass --force to overwrite it\n" });
});

it("bundle sign (in place) then verify: 0 verified, 1 refused with the reason, 2 for usage", async () => {
  const dir = await mkdtemp(join(tmpdir(), "agp-bundle-"));
  await agp(dir, "keygen", "--out", "k");
  await agp(dir, "keygen", "--out", "other");
  await writeFile(join(dir, "policy.wasm"), moduleBytes("1.4.0"));
  const signed = await agp(dir, "bundle", "sign", "policy.wasm", "--key", "k.key");
  expect(signed.code).toBe(0);
  const id = /key ([0-9a-f]{16})/.exec(signed.out)![1];
  expect(signed.out).toMatch(new RegExp(`^signed policy\\.wasm: version 1\\.4\\.0, key ${id}, module sha256:[0-9a-f]{12}…\\n$`));
  const ok = await agp(dir, "bundle", "verify", "policy.wasm", "--trusted-key", "k.pub");
  expect(ok.code).toBe(0);
  expect(ok.out).toMatch(new RegExp(`^policy\\.wasm: verified: version 1\\.4\\.0, key ${id}, signed \\S+Z, module sha256:[0-9a-f]{64}, policy \\S+\\n$`));
  expect(await agp(dir, "bundle", "verify", "policy.wasm", "--trusted-key", "k.pub", "--running", "1.4.0")).toEqual({ code: 1, out: "policy.wasm: refused (downgrade): the bundle version 1.4.0 is not newer than the running version 1.4.0\n", err: "" });
  expect(await agp(dir, "bundle", "verify", "policy.wasm", "--trusted-key", "k.pub", "--revoked", id!)).toEqual({ code: 1, out: `policy.wasm: refused (revoked_key): the bundle is signed by key \`${id}\`, which is revoked\n`, err: "" });
  const json = await agp(dir, "bundle", "verify", "policy.wasm", "--trusted-key", "other.pub", "--format", "json");
  expect(json.code).toBe(1);
  expect(JSON.parse(json.out)).toMatchObject({ ok: false, code: "untrusted_key" });
  expect(await agp(dir, "bundle", "verify", "policy.wasm")).toEqual({ code: 2, out: "", err: "agp: name at least one --trusted-key\n" });
  expect((await agp(dir, "bundle", "sign", "policy.wasm", "--key", "k.pub")).err).toBe("agp: cannot sign policy.wasm: expected a PEM block `-----BEGIN PRIVATE KEY-----`\n");
});
