/**
 * `context.intent` crosses a trust boundary: the host says what the user's
 * own request named, and a named recipient is let through after untrusted
 * input (examples/agent-safety, ADR 0046). A property test tries to make a
 * wrong intent — another type, too many strings, an over-long or empty
 * string, an item that is not a string — lie, crash or allow: it must be
 * refused with a reason, never taken as naming the recipient. Strings the
 * shape accepts (control characters, look-alikes included) name only what
 * they equal byte for byte. The compiled module and the reference interpreter must agree
 * on every decision.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPaths } from "../../compiler/check/project.js";
import { compilePaths, loadCatalogsOf } from "../../compiler/compile/index.js";
import { interpretChecked, type Interpreter, type SessionEvent } from "../../compiler/interpret/index.js";
import { loadPolicySync, type PolicyEngine, type SessionInput } from "../../runtime/index.js";

const EXAMPLE = ["examples/agent-safety/agent-safety.agp"];
const STRANGER = "mark.black-2134@gmail.com";
const T0 = Date.UTC(2024, 4, 15, 9, 0, 0);

let engine: PolicyEngine;
let interpreter: Interpreter;

beforeAll(async () => {
  const compiled = await compilePaths(EXAMPLE);
  if (compiled.result === undefined) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  engine = loadPolicySync(compiled.result.wasm);
  const checked = await checkPaths(EXAMPLE);
  if (checked.checked === undefined) throw new Error("the example does not check");
  interpreter = interpretChecked(checked.checked, await loadCatalogsOf(checked.checked, process.cwd()));
});

const context = (intent: unknown): Record<string, unknown> => (intent === undefined ? { session: "s-1" } : { session: "s-1", intent });
const request = (action: string, args: Record<string, unknown>, intent: unknown): Record<string, unknown> => ({
  agent: { id: "assistant", groups: [], trust: 2 },
  action,
  args,
  env: "production",
  context: context(intent),
});
const readCalendar = (intent: unknown) => request("assistant.workspace.search_calendar_events", { query: "lunch" }, intent);
const mail = (to: string, intent: unknown) => request("assistant.workspace.send_email", { recipients: [to], subject: "Hi", body: "Hello" }, intent);

/** Decides `mail` after an untrusted calendar read (recorded with a valid intent), in both engines. */
function afterUntrusted(next: Record<string, unknown>) {
  const first = readCalendar(["sarah.connor@gmail.com"]);
  const opened = engine.decide(first, undefined, { now: T0 });
  expect(opened.effect).toBe("allow");
  const recorded = engine.record(first, { now: T0 }, "allow");
  if (!recorded.ok) throw new Error(recorded.error.message);
  const session: SessionInput = { now: T0 + 60_000, state: recorded.state };
  const trace: SessionEvent[] = [{ kind: "call", time: T0, request: first, effect: "allow" }];
  return {
    module: engine.decide(next, undefined, session),
    interpreter: interpreter.decide(next, undefined, { now: T0 + 60_000, trace }),
  };
}

// Strings the request shape accepts: 1 to 254 characters, any of them.
const goodString = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), fc.constantFrom(`${STRANGER}\u0000`, `${STRANGER}\n`, "\u007f", " ", "x\u001b[2J"));
const goodIntent = fc.array(goodString, { maxLength: 64 });

// Everything a careless or hostile host might send instead.
const badIntent = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  fc.array(goodString, { minLength: 65, maxLength: 80 }).map((xs) => [...xs, STRANGER]),
  fc.tuple(goodIntent, fc.constantFrom("", "a".repeat(255), `${STRANGER}${"x".repeat(240)}`)).map(([xs, bad]) => [...xs, STRANGER, bad]),
  fc.tuple(goodIntent, fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.constant(STRANGER), { maxLength: 2 }), fc.constant({ email: STRANGER }))).map(([xs, bad]) => [STRANGER, ...xs, bad]),
);

describe("the host's user intent (context.intent)", () => {
  it("a recipient the user named runs after untrusted input; one the user did not name waits; none named without intent", () => {
    expect(afterUntrusted(mail("sarah.connor@gmail.com", ["sarah.connor@gmail.com"])).module.effect).toBe("allow");
    expect(afterUntrusted(mail(STRANGER, ["sarah.connor@gmail.com"])).module).toMatchObject({ effect: "approve", rules: [{ id: "new_recipients_after_untrusted" }] });
    expect(afterUntrusted(mail("sarah.connor@gmail.com", undefined)).module).toMatchObject({ effect: "approve", rules: [{ id: "new_recipients_after_untrusted" }] });
  });

  it("membership is exact: a recipient differing in case, spacing, a control character or a look-alike is not named", () => {
    for (const named of ["Mark.Black-2134@gmail.com", ` ${STRANGER}`, `${STRANGER}\u0000`, `${STRANGER}\n`, "mark.black-2134@gmail.co", "mark.black-2134@gmaіl.com"]) {
      const both = afterUntrusted(mail(STRANGER, [named]));
      expect(both.module.effect).toBe("approve");
      expect(both.interpreter.effect).toBe("approve");
    }
  });

  it("whatever the host sends, a wrong intent is refused with a reason and never lets the stranger through; both engines agree", () => {
    fc.assert(
      fc.property(badIntent, (intent) => {
        const both = afterUntrusted(mail(STRANGER, intent));
        expect(both.module.effect).toBe("deny");
        expect(both.module.error?.message).toMatch(/^`context\.intent/);
        expect(both.interpreter).toMatchObject({ effect: both.module.effect, error: { code: both.module.error?.code, message: both.module.error?.message } });
      }),
      { numRuns: 150, seed: 46 },
    );
  });

  it("a well-formed intent lets the stranger through only when it names the stranger exactly; both engines agree", () => {
    fc.assert(
      fc.property(goodIntent, fc.boolean(), (intent, name) => {
        const given = name ? [...intent.slice(0, 63), STRANGER] : intent.filter((s) => s !== STRANGER);
        const both = afterUntrusted(mail(STRANGER, given));
        expect(both.module.error).toBeUndefined();
        expect(both.module.effect).toBe(name ? "allow" : "approve");
        expect(both.interpreter.effect).toBe(both.module.effect);
        expect(both.interpreter.rules.map((r) => r.id)).toEqual(both.module.rules.map((r) => r.id));
      }),
      { numRuns: 150, seed: 46 },
    );
  });
});
