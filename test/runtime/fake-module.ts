/**
 * Test support: hand-made policy modules, until (and besides) the real code
 * generator. Emits a wasm binary with binaryen that speaks runtime/abi.ts:
 * `agp_abi_version`, `agp_input`, `agp_decide`, `memory`, and the manifest
 * in the `agp.manifest` custom section.
 *
 * Its `agp_decide` is table-driven: it reads a "selector" (an i32 sym slot
 * at offset 0 of the slot area, -1..n) and the human flag, and returns the
 * address of a precomputed result blob for (action, selector, human), or
 * traps (`unreachable`) where the table says so. Tests write the results
 * the module "decides" as plain data.
 *
 * In: a manifest (or raw section text) and a results function. Out: bytes.
 * Must not be imported by runtime/ (test only).
 */
import binaryen from "binaryen";
import { ABI_VERSION, MANIFEST_SECTION, type Manifest } from "../../runtime/manifest.js";
import { packManifest } from "../../runtime/load/manifest-wire.js";
import { EFFECT_CODES, PRINCIPAL_CODES, RESULT } from "../../runtime/abi.js";

/** What the fake module answers for one (action, selector, human) cell. */
export interface FakeResult {
  readonly effect: "allow" | "approve" | "deny";
  readonly blockedBy?: "agent" | "human";
  readonly deciding?: readonly number[];
  readonly obligation?: readonly number[];
  readonly charges?: readonly { readonly limit: number; readonly amount: number }[];
}

export type FakeCell = FakeResult | "trap" | { readonly address: number };

export interface FakeModuleOptions {
  /** The manifest to embed (its wire form, JSON-encoded), unless `section` is given. */
  readonly manifest?: Manifest;
  /** Raw custom-section contents (for corrupt manifests); `null` for no section. */
  readonly section?: Uint8Array | string | null;
  /** Extra copies of the section (for "two manifests"). */
  readonly duplicateSection?: boolean;
  /** What each cell answers; `selector` is -1 (none of the dictionary) .. selectors - 1. */
  readonly results?: (action: number, selector: number, human: boolean) => FakeCell;
  /** How many selector values exist (the dictionary size). Default 8. */
  readonly selectors?: number;
  /** What `agp_abi_version` returns. Default ABI_VERSION. */
  readonly abi?: number;
  /** Address of the input region. Default 1024. */
  readonly input?: number;
  /** What `agp_input` returns, when it should lie about the layout. */
  readonly reportedInput?: number;
  /** Leave out this export. */
  readonly omitExport?: "agp_abi_version" | "agp_input" | "agp_decide" | "memory";
  /** Import a function (policy modules must not). */
  readonly withImport?: boolean;
  /**
   * Instead of the table: allow by rule 0 (an allow rule), charging limit 0
   * with a checksum of the whole input region (slot area and arena) as the amount, so a decision
   * shows every byte the module could see.
   */
  readonly checksum?: boolean;
  /** Memory size in pages (fixed). Default: what the layout needs. */
  readonly pages?: number;
}

const PAGE = 65536;

/** Builds a fake policy module. */
export function fakeModule(options: FakeModuleOptions): Uint8Array {
  const manifest = options.manifest;
  const actions = manifest?.actions.length ?? 1;
  const selectors = options.selectors ?? 8;
  const cells = selectors + 1;
  const input = options.input ?? 1024;
  const slotBytes = manifest?.memory.slotBytes ?? 64;
  const arenaBytes = manifest?.memory.arenaBytes ?? 1024;
  const results = options.results ?? (() => ({ effect: "deny" as const }));

  // Data after the input region: the address table, then result blobs.
  let top = align(input + slotBytes + arenaBytes, 8);
  const table = top;
  top += actions * cells * 2 * 4;
  const blobs: { address: number; bytes: Uint8Array }[] = [];
  const addresses: number[] = [];
  for (let a = 0; a < actions; a++) {
    for (let s = -1; s < selectors; s++) {
      for (const human of [false, true]) {
        const cell = results(a, s, human);
        if (cell === "trap") addresses.push(0xffffffff);
        else if ("address" in cell) addresses.push(cell.address >>> 0);
        else {
          top = align(top, 8);
          const bytes = encodeResult(cell);
          blobs.push({ address: top, bytes });
          addresses.push(top);
          top += bytes.length;
        }
      }
    }
  }
  const tableBytes = new Uint8Array(addresses.length * 4);
  const tableView = new DataView(tableBytes.buffer);
  addresses.forEach((address, i) => tableView.setUint32(i * 4, address, true));
  const pages = options.pages ?? Math.ceil((top + 64) / PAGE) + 1;

  const m = new binaryen.Module();
  try {
    const segments = [{ offset: m.i32.const(table), data: tableBytes, passive: false }, ...blobs.map((b) => ({ offset: m.i32.const(b.address), data: b.bytes, passive: false }))];
    m.setMemory(pages, pages, options.omitExport === "memory" ? null! : "memory", segments);
    if (options.withImport) m.addFunctionImport("host_log", "env", "log", binaryen.createType([binaryen.i32]), binaryen.none);
    const fn = (name: string, params: number, result: number, locals: number[], body: number) => {
      m.addFunction(name, params, result, locals, body);
      if (options.omitExport !== name) m.addFunctionExport(name, name);
    };
    fn("agp_abi_version", binaryen.none, binaryen.i32, [], m.i32.const(options.abi ?? ABI_VERSION));
    fn("agp_input", binaryen.none, binaryen.i32, [], m.i32.const(options.reportedInput ?? input));
    // locals: 0 action, 1 flags, 2 selector, 3 address
    const sel = () => m.local.get(2, binaryen.i32);
    const body = m.block(null, [
      m.if(m.i32.ge_u(m.local.get(0, binaryen.i32), m.i32.const(actions)), m.unreachable()),
      m.local.set(2, m.i32.add(m.i32.load(0, 4, m.i32.const(input)), m.i32.const(1))),
      m.if(m.i32.ge_u(sel(), m.i32.const(cells)), m.local.set(2, m.i32.const(0))),
      m.local.set(
        3,
        m.i32.load(
          0,
          4,
          m.i32.add(
            m.i32.const(table),
            m.i32.shl(
              m.i32.add(
                m.i32.shl(m.i32.add(m.i32.mul(m.local.get(0, binaryen.i32), m.i32.const(cells)), sel()), m.i32.const(1)),
                m.i32.and(m.local.get(1, binaryen.i32), m.i32.const(1)),
              ),
              m.i32.const(2),
            ),
          ),
        ),
      ),
      m.if(m.i32.eq(m.local.get(3, binaryen.i32), m.i32.const(-1)), m.unreachable()),
      m.return(m.local.get(3, binaryen.i32)),
    ], binaryen.i32);
    const decide = options.checksum ? checksumBody(m, input, slotBytes + arenaBytes, align(top, 8)) : body;
    fn("agp_decide", binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.i32, [binaryen.i32, binaryen.i32], decide);
    if (options.section !== null) {
      const section =
        options.section === undefined ? new TextEncoder().encode(manifest === undefined ? "" : JSON.stringify(packManifest(manifest))) : typeof options.section === "string" ? new TextEncoder().encode(options.section) : options.section;
      m.addCustomSection(MANIFEST_SECTION, section);
      if (options.duplicateSection) m.addCustomSection(MANIFEST_SECTION, section);
    }
    if (m.validate() !== 1) throw new Error("fake module is invalid");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/**
 * h = h * 31 + byte over [input, input + length); writes an allow by rule 0
 * at `out` with one charge { limit 0, amount h (unsigned) } and returns `out`.
 * locals: 0 action, 1 flags, 2 i, 3 h.
 */
function checksumBody(m: binaryen.Module, input: number, length: number, out: number): number {
  const i = () => m.local.get(2, binaryen.i32);
  const h = () => m.local.get(3, binaryen.i32);
  const store = (at: number, value: number) => m.i32.store(0, 4, m.i32.const(out + at), m.i32.const(value));
  return m.block(null, [
    m.local.set(2, m.i32.const(0)),
    m.local.set(3, m.i32.const(7)),
    m.loop(
      "scan",
      m.if(
        m.i32.lt_u(i(), m.i32.const(length)),
        m.block(null, [
          m.local.set(3, m.i32.add(m.i32.mul(h(), m.i32.const(31)), m.i32.load8_u(0, 1, m.i32.add(i(), m.i32.const(input))))),
          m.local.set(2, m.i32.add(i(), m.i32.const(1))),
          m.br("scan"),
        ]),
      ),
    ),
    store(RESULT.effect, EFFECT_CODES.allow),
    store(RESULT.blockedBy, PRINCIPAL_CODES.none),
    store(RESULT.deciding, 1),
    store(RESULT.obligation, 0),
    store(RESULT.charges, 1),
    store(20, 0),
    store(RESULT.lists, 0),
    store(RESULT.lists + 8, 0),
    store(RESULT.lists + 12, 0),
    m.f64.store(0, 8, m.i32.const(out + RESULT.lists + 16), m.f64.convert_u.i32(h())),
    m.return(m.i32.const(out)),
  ], binaryen.i32);
}

/** A result blob as runtime/abi.ts lays it out. */
export function encodeResult(result: FakeResult): Uint8Array {
  const deciding = result.deciding ?? [];
  const obligation = result.obligation ?? [];
  const charges = result.charges ?? [];
  const listsEnd = RESULT.lists + 4 * (deciding.length + obligation.length);
  const chargesAt = align(listsEnd, 8);
  const bytes = new Uint8Array(chargesAt + charges.length * RESULT.chargeSize);
  const view = new DataView(bytes.buffer);
  view.setUint32(RESULT.effect, EFFECT_CODES[result.effect], true);
  view.setUint32(RESULT.blockedBy, PRINCIPAL_CODES[result.blockedBy ?? "none"], true);
  view.setUint32(RESULT.deciding, deciding.length, true);
  view.setUint32(RESULT.obligation, obligation.length, true);
  view.setUint32(RESULT.charges, charges.length, true);
  [...deciding, ...obligation].forEach((index, i) => view.setUint32(RESULT.lists + 4 * i, index, true));
  charges.forEach((c, i) => {
    view.setUint32(chargesAt + i * RESULT.chargeSize, c.limit, true);
    view.setFloat64(chargesAt + i * RESULT.chargeSize + 8, c.amount, true);
  });
  return bytes;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
