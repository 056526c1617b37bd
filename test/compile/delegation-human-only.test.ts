/**
 * `delegation human_only` (docs/decisions/0040-delegation-human-only.md),
 * through the reference interpreter, the module's object path and its JSON
 * path, which must give the same decision every time: the human's rules
 * decide; the agent's explicit deny and approve rules still bind and its
 * allow rules add their obligations; the agent's "no rule allows" is no
 * opinion; a request without a human, or an action no `for human` rule
 * covers, is denied with a reason that says so.
 */
import { describe, expect, it } from "vitest";
import { loadJsonDeciderSync } from "../../runtime/index.js";
import { CATALOGS } from "../interpret/harness.js";
import { checkText, pairOf } from "./harness.js";

const POLICY = `package chatops
delegation human_only

rule deployers: allow deploy.* for human when "deployers" in human.groups with max_replicas = 5
rule oncall_reads: allow shell.exec for human when "oncall" in human.groups
rule bot_not_prod: deny deploy.* when env == "production" and args.service == "payments"
  because "this bot never deploys payments in production"
rule bot_prod_review: approve deploy.* when env == "production" by 1 of group "sre"
rule bot_limits: allow deploy.* with max_replicas = 3
rule bot_reads_issues: allow github.issue.read
`;

const BOT = { id: "chat-bot", groups: [], trust: 0 };
const ALICE = { id: "alice", groups: ["deployers"], roles: [] };
const EVE = { id: "eve", groups: ["marketing"], roles: [] };
const deploy = (human: object | undefined, env = "staging", service = "api") => ({
  agent: BOT,
  action: "deploy.service",
  args: { service },
  env,
  context: { session: "thread-1" },
  ...(human === undefined ? {} : { human }),
});
const NO_HUMAN = "the request names no human, and under `delegation human_only` only rules `for human` allow `deploy.service`";

describe("delegation human_only, in every engine", () => {
  const { checked, catalogs } = checkText({ "policy.agp": POLICY }, CATALOGS);
  const { engine, interpreter } = pairOf(checked, catalogs);
  const json = loadJsonDeciderSync(engine);
  const decide = (request: object, state?: object) => {
    const expected = interpreter.decide(request, state as never);
    expect(engine.decide(request, state as never)).toEqual(expected);
    expect(json.decideJson(new TextEncoder().encode(JSON.stringify(request)), state as never)).toEqual(expected);
    return expected;
  };

  it("the requester's permission is enough: no blanket agent-side allow is needed", () => {
    // The bot has no trust and no rule of its own that would allow; the human's rule decides.
    const d = decide(deploy(ALICE));
    expect(d.effect).toBe("allow");
    expect(d.rules.map((r) => r.id)).toEqual(["bot_limits", "deployers"]);
  });

  it("a requester without the permission is refused, whatever the bot may do", () => {
    expect(decide(deploy(EVE))).toMatchObject({ effect: "deny", blockedBy: "human", rules: [], reasons: ["no `for human` rule allows `deploy.service`"] });
  });

  it("a request without a human is denied, and the reason says why", () => {
    expect(decide(deploy(undefined))).toMatchObject({ effect: "deny", blockedBy: "human", rules: [], reasons: [NO_HUMAN] });
    expect(decide({ ...deploy(undefined), human: null })).toMatchObject({ effect: "deny", reasons: [NO_HUMAN] });
  });

  it("an action no rule `for human` covers is denied, even when the bot's own rule allows it", () => {
    const read = { agent: BOT, action: "github.issue.read", args: {}, env: "staging", context: {}, human: ALICE };
    expect(decide(read)).toMatchObject({ effect: "deny", blockedBy: "human", reasons: ["no `for human` rule allows `github.issue.read`"] });
  });

  it("the bot's explicit deny still binds: the requester cannot lend it powers its platform team took away", () => {
    const d = decide(deploy(ALICE, "production", "payments"));
    expect(d).toMatchObject({ effect: "deny", blockedBy: "agent", rules: [{ id: "bot_not_prod" }], reasons: ["this bot never deploys payments in production"] });
    // Without a human too, the explicit deny is the one reported.
    expect(decide(deploy(undefined, "production", "payments"))).toMatchObject({ effect: "deny", blockedBy: "agent", rules: [{ id: "bot_not_prod" }] });
  });

  it("the bot's approve still binds: the stricter of the two answers", () => {
    const d = decide(deploy(ALICE, "production"));
    expect(d).toMatchObject({ effect: "approve", blockedBy: "agent", approval: { quorums: [{ count: 1, groups: ["sre"] }] } });
    expect(decide(deploy(ALICE, "production"), { approvals: [{ id: "bob", groups: ["sre"] }] }).effect).toBe("allow");
    // Approvals never replace the requester's permission.
    expect(decide(deploy(EVE, "production"), { approvals: [{ id: "bob", groups: ["sre"] }] }).effect).toBe("deny");
  });

  it("obligations of the bot's matching allow rules still apply, strictest wins", () => {
    expect(decide(deploy(ALICE)).obligations).toEqual({ max_replicas: 3 });
  });

  it("a kill switch on the bot still stops it", () => {
    expect(decide(deploy(ALICE), { killed: ["chat-bot"] })).toMatchObject({ effect: "deny", reasons: ["kill switch `chat-bot` is engaged"] });
  });

  it("another package's rules on the same action with another mode bring back `both`", () => {
    const mixed = checkText({ "policy.agp": POLICY, "other.agp": "package other\nrule audit_shell: allow shell.exec when agent.trust >= 1\n" }, CATALOGS);
    const pair = pairOf(mixed.checked, mixed.catalogs);
    const shell = { agent: BOT, action: "shell.exec", args: { command: "ls", timeout_seconds: 5, write_paths: [] }, env: "staging", context: {}, human: { id: "olga", groups: ["oncall"], roles: [] } };
    const d = pair.interpreter.decide(shell);
    expect(pair.engine.decide(shell)).toEqual(d);
    // Under both, the bot (trust 0) needs its own allow: blocked by the agent.
    expect(d).toMatchObject({ effect: "deny", blockedBy: "agent" });
  });
});
