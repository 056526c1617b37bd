/**
 * Class H, files the CLI writes: every one is replaced atomically — a new
 * file renamed over the old — so a reader (or a crash) sees the old
 * contents or the new, never a truncated or half-written file. The check:
 * a handle opened on the old file before the write still reads the whole
 * old contents afterwards (an in-place rewrite would truncate it under the
 * reader), the path now holds the new contents, no temporary file is left,
 * permissions and symbolic links are kept, and a failed write leaves the
 * old file untouched.
 */
import { chmod, cp, lstat, mkdir, mkdtemp, open, readdir, readFile, readlink, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIo } from "../../compiler/cli/io.js";
import { main } from "../../compiler/cli/main.js";
import { writeFileAtomic } from "../../runtime/node/index.js";

async function agp(cwd: string, ...argv: string[]) {
  const io = captureIo(cwd);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** A copy of examples/deploys (and the catalogs it names) in a temporary directory. */
async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "agp-atomic-"));
  await cp("examples/deploys", join(dir, "deploys"), { recursive: true });
  await cp("examples/schemas", join(dir, "schemas"), { recursive: true });
  return dir;
}

/** Runs `write` while a handle on `path`'s current file is open; returns what that handle reads afterwards. */
async function readerAcross(path: string, write: () => Promise<unknown>): Promise<{ before: Buffer; heldReads: Buffer; inodeChanged: boolean }> {
  const before = await readFile(path);
  const inode = (await stat(path)).ino;
  const held = await open(path, "r");
  try {
    await write();
    const heldReads = Buffer.alloc(before.length + 64);
    const { bytesRead } = await held.read(heldReads, 0, heldReads.length, 0);
    return { before, heldReads: heldReads.subarray(0, bytesRead), inodeChanged: (await stat(path)).ino !== inode };
  } finally {
    await held.close();
  }
}

async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".tmp"));
}

describe("every file the CLI writes is replaced atomically", () => {
  it("agp fmt --write: the old file stays whole for a reader, the mode is kept, nothing is left behind", async () => {
    const dir = await project();
    const path = join(dir, "deploys", "deploys.agp");
    const formatted = await readFile(path, "utf8");
    await writeFile(path, formatted.replace("rule read_status:\n  allow deploy.*", "rule read_status:   allow deploy.*"));
    await chmod(path, 0o640);
    const seen = await readerAcross(path, async () => expect((await agp(dir, "fmt", "--write", "deploys/deploys.agp")).code).toBe(0));
    expect(seen.inodeChanged).toBe(true);
    expect(seen.heldReads.equals(seen.before)).toBe(true);
    expect(await readFile(path, "utf8")).toBe(formatted);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await leftovers(join(dir, "deploys"))).toEqual([]);
  });

  it("agp fmt --write through a symbolic link replaces the file it points to and keeps the link", async () => {
    const dir = await project();
    const real = join(dir, "deploys", "deploys.agp");
    const formatted = await readFile(real, "utf8");
    await writeFile(real, `${formatted}\n\n\n`);
    await mkdir(join(dir, "linked"));
    await symlink(real, join(dir, "linked", "deploys.agp"));
    expect((await agp(dir, "fmt", "--write", "linked/deploys.agp")).code).toBe(0);
    expect((await lstat(join(dir, "linked", "deploys.agp"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, "linked", "deploys.agp"))).toBe(real);
    expect(await readFile(real, "utf8")).toBe(formatted);
  });

  it("agp compile -o, --manifest and --source-map replace their files whole", async () => {
    const dir = await project();
    expect((await agp(dir, "compile", "deploys", "-o", "out/policy.wasm", "--manifest", "out/manifest.json", "--source-map", "out/map.json")).code).toBe(0);
    for (const file of ["policy.wasm", "manifest.json", "map.json"]) {
      const path = join(dir, "out", file);
      const seen = await readerAcross(path, async () => {
        const again = await agp(dir, "compile", "deploys", "-o", "out/policy.wasm", "--manifest", "out/manifest.json", "--source-map", "out/map.json", "--bundle-version", "2.0.0");
        expect(again.code).toBe(0);
      });
      expect(seen.inodeChanged, file).toBe(true);
      expect(seen.heldReads.equals(seen.before), file).toBe(true);
    }
    expect(await leftovers(join(dir, "out"))).toEqual([]);
  });

  it("agp test --output, --coverage-json and --coverage-lcov replace their files whole", async () => {
    const dir = await project();
    const args = ["test", "deploys", "--engine", "interpreter", "--reporter", "junit", "--output", "report.xml", "--coverage-json", "coverage.json", "--coverage-lcov", "coverage.lcov"];
    expect((await agp(dir, ...args)).code).toBe(0);
    for (const file of ["report.xml", "coverage.json", "coverage.lcov"]) {
      await writeFile(join(dir, file), "an older report that is longer than nothing\n".repeat(50));
      const seen = await readerAcross(join(dir, file), async () => expect((await agp(dir, ...args)).code).toBe(0));
      expect(seen.inodeChanged, file).toBe(true);
      expect(seen.heldReads.equals(seen.before), file).toBe(true);
    }
    expect(await leftovers(dir)).toEqual([]);
  });

  it("agp schema import-mcp -o replaces its file whole", async () => {
    const dir = await project();
    await writeFile(join(dir, "tools.json"), JSON.stringify({ tools: [{ name: "send", inputSchema: { type: "object", properties: { to: { type: "string", maxLength: 254 } } } }] }));
    await writeFile(join(dir, "mail.json"), "{}\n");
    const seen = await readerAcross(join(dir, "mail.json"), async () => expect((await agp(dir, "schema", "import-mcp", "tools.json", "--family", "mail", "-o", "mail.json")).code).toBe(0));
    expect(seen.inodeChanged).toBe(true);
    expect(seen.heldReads.toString()).toBe("{}\n");
    expect(await readFile(join(dir, "mail.json"), "utf8")).toContain('"send"');
  });

  it("a write that fails leaves the old file untouched and no temporary file", async () => {
    const dir = await project();
    // `-o out` writes `out/<set>.wasm` (issue 18); here that name is taken by a directory, so the write fails.
    await mkdir(join(dir, "out", "deploys.wasm"), { recursive: true });
    const result = await agp(dir, "compile", "deploys", "-o", "out");
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^agp: cannot write `out\/deploys\.wasm`: /);
    expect((await stat(join(dir, "out", "deploys.wasm"))).isDirectory()).toBe(true);
    expect(await leftovers(dir)).toEqual([]);
    expect(await leftovers(join(dir, "out"))).toEqual([]);
    // And through the helper: a target in a directory that is not there (without mkdir) changes nothing.
    await expect(writeFileAtomic(join(dir, "missing", "x.json"), "{}")).rejects.toThrow(/ENOENT/);
  });
});
