/**
 * The one error the runtime throws: a policy module that cannot be loaded.
 *
 * In: a message. Out: `PolicyLoadError`. Deciding never throws (every
 * problem is a deny); only loading does, and always with this class and a
 * message that says what is wrong with the module.
 */

/** Thrown by `loadPolicy` / `loadPolicySync` when the bytes are not a usable agp policy module. */
export class PolicyLoadError extends Error {
  override readonly name = "PolicyLoadError";
  constructor(message: string) {
    super(message);
  }
}
