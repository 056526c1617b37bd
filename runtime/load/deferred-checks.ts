/**
 * The manifest checks an engine runs on first use rather than at load
 * (ADR 0050): each action's argument schema and slots, checked before the
 * action's first request is read with them, and all of them before the
 * manifest is handed to anyone (`checkDeferred`).
 *
 * In: a manifest opened by ./module.ts `openManifest` (registered here with
 * `deferActionChecks`). Out: `checkActionOnFirstUse(manifest, id)` and
 * `checkDeferred(manifest)`, which throw `PolicyLoadError` for a corrupt
 * part, every time it is asked for (an action that fails is never marked
 * checked); both do nothing for a manifest that was checked whole.
 * Must not read requests; must not import the compiler or Node built-ins.
 */
import type { Manifest } from "../manifest.js";
import { checkActionParts } from "./check-manifest.js";

/** Which actions of a lazily opened manifest have had their parts checked. */
const checked = new WeakMap<object, boolean[]>();

/** Marks every action of `manifest` as not yet checked (its schemas and slots unread since `checkManifest(…, true)`). */
export function deferActionChecks(manifest: Manifest): void {
  checked.set(manifest, new Array<boolean>(manifest.actions.length).fill(false));
}

/** Checks action `id`'s schema and slots once; throws `PolicyLoadError` when they are corrupt. */
export function checkActionOnFirstUse(manifest: Manifest, id: number): void {
  const done = checked.get(manifest);
  if (done === undefined || done[id] === true) return;
  checkActionParts(manifest, id);
  done[id] = true;
}

/** Checks every action not yet checked, in order, naming the first corrupt one. */
export function checkDeferred(manifest: Manifest): void {
  const done = checked.get(manifest);
  if (done === undefined) return;
  for (let id = 0; id < done.length; id++) checkActionOnFirstUse(manifest, id);
}
