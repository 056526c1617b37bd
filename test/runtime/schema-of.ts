/**
 * Test support: a manifest's schemas from the compiler's catalog model, so
 * runtime tests run against the very catalogs the reference interpreter's
 * tests use (test/interpret/harness.ts), and a manifest builder around them.
 *
 * In: a `CatalogSet`. Out: `SchemaNode`s and a `Manifest` with the rules,
 * limits and slots a test gives. Must not be imported by runtime/.
 */
import type { CatalogSet } from "../../compiler/catalog/index.js";
import { schemaOf } from "../../compiler/lower/index.js";
import { ABI_VERSION, type Manifest, type ManifestLimit, type ManifestRule, type SchemaNode, type Slot } from "../../runtime/manifest.js";

/** The reduced schema of a catalog field type: the compiler's own, so tests and modules agree. */
export { schemaOf };

export interface ManifestParts {
  readonly rules?: readonly ManifestRule[];
  readonly limits?: readonly ManifestLimit[];
  /** Slots per action name (others get none). */
  readonly slots?: Readonly<Record<string, readonly Slot[]>>;
  readonly slotBytes?: number;
  readonly arenaBytes?: number;
  readonly policy?: { hash: string; version: string };
}

/** A manifest over `catalogs` with the given rules, limits and slots. */
export function manifestOf(catalogs: CatalogSet, parts: ManifestParts = {}): Manifest {
  const actions = [...catalogs.actions.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    abi: ABI_VERSION,
    compiler: "test",
    policy: parts.policy ?? { hash: "sha256:test", version: "1.0.0" },
    actions: actions.map((a) => ({
      name: a.name,
      family: a.family,
      args: schemaOf(a.args),
      slots: parts.slots?.[a.name] ?? [],
      costBound: 1,
      humanCovered: false,
    })),
    rules: parts.rules ?? [],
    limits: parts.limits ?? [],
    request: {
      agent: schemaOf(catalogs.request.agent),
      human: schemaOf(catalogs.request.human),
      env: schemaOf(catalogs.request.env),
      context: schemaOf(catalogs.request.context),
    },
    memory: { slotBytes: parts.slotBytes ?? 64, arenaBytes: parts.arenaBytes ?? 4096 },
  };
}

/** A rule with defaults. */
export function rule(id: string, effect: ManifestRule["effect"], more: Partial<ManifestRule> = {}): ManifestRule {
  return { id, file: "policy.agp", line: 1, effect, principal: "agent", audit: "info", obligations: [], quorums: [], ...more };
}
