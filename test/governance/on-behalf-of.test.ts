/**
 * ChatOps on behalf of many people (docs/governance.md, ADR 0032, ADR 0040):
 * one requester per request, whose permissions alone count under
 * `delegation human_only` — no blanket allow on the bot's side —, while the
 * bot's own deny still binds; the requester confirms (`by requester`) and a
 * second person from a group approves — never the requester, never the bot.
 * The policy is the one the docs show, run through both engines; the old
 * workaround (`both` plus a blanket allow) is kept to show what it let through.
 */
import { describe, expect, it } from "vitest";
import { CATALOGS } from "../interpret/harness.js";
import { checkText, pairOf } from "../compile/harness.js";

const CHATOPS = `package chatops
delegation human_only

rule people_deploy: allow deploy.* for human when "deployers" in human.groups
rule prod: approve deploy.* when env == "production"
  by requester and 1 of group "sre"
rule not_payments: deny deploy.* when args.service == "payments"
  because "the chat bot never deploys payments"
`;

const WORKAROUND = `package chatops
delegation both

rule bot_serves: allow deploy.*
rule people_deploy: allow deploy.* for human when "deployers" in human.groups
rule prod: approve deploy.* when env == "production" and has human
  by requester and 1 of group "sre"
`;

const BOT = { id: "chat-bot", groups: [], trust: 2 };
const ALICE = { id: "alice", groups: ["deployers"], roles: [] };
const EVE = { id: "eve", groups: ["marketing"], roles: [] };
const deploy = (human: object | undefined, env = "production", service = "api") => ({ agent: BOT, action: "deploy.service", args: { service }, env, context: { session: "thread-1" }, ...(human === undefined ? {} : { human }) });

function enginesFor(policy: string) {
  const { checked, catalogs } = checkText({ "policy.agp": policy }, CATALOGS);
  const { engine, interpreter } = pairOf(checked, catalogs);
  return (request: object, state?: object) => {
    const a = interpreter.decide(request, state as never);
    expect(JSON.stringify(engine.decide(request, state as never))).toBe(JSON.stringify(a));
    return a;
  };
}

describe("a bot acting for the person who asked", () => {
  const both = enginesFor(CHATOPS);

  it("only the requester's permissions count: a requester who may not deploy is refused, whatever the bot may do", () => {
    expect(both(deploy(ALICE, "staging")).effect).toBe("allow");
    expect(both(deploy(EVE, "staging"))).toMatchObject({ effect: "deny", blockedBy: "human", reasons: ["no `for human` rule allows `deploy.service`"] });
  });

  it("the bot's own deny binds whoever asks", () => {
    expect(both(deploy(ALICE, "staging", "payments"))).toMatchObject({ effect: "deny", blockedBy: "agent", reasons: ["the chat bot never deploys payments"] });
  });

  it("a request that names no human is denied, with a reason that says so", () => {
    expect(both(deploy(undefined, "staging"))).toMatchObject({
      effect: "deny",
      blockedBy: "human",
      reasons: ["the request names no human, and under `delegation human_only` only rules `for human` allow `deploy.service`"],
    });
  });

  it("in production the requester confirms and an SRE approves: two people, never the bot", () => {
    const bob = { id: "bob", groups: ["sre"] };
    expect(both(deploy(ALICE))).toMatchObject({ effect: "approve", approval: { requester: true, quorums: [{ count: 1, groups: ["sre"] }] } });
    expect(both(deploy(ALICE), { approvals: [bob] }).effect).toBe("approve");
    expect(both(deploy(ALICE), { approvals: [{ id: "alice", groups: ["deployers"] }] }).effect).toBe("approve");
    expect(both(deploy(ALICE), { approvals: [{ id: "alice", groups: ["sre"] }] }).effect).toBe("approve"); // the requester is not also the SRE
    expect(both(deploy(ALICE), { approvals: [{ id: "chat-bot", groups: ["sre"] }, { id: "alice", groups: [] }] }).effect).toBe("approve");
    expect(both(deploy(ALICE), { approvals: [{ id: "Alice", groups: [] }, bob] }).effect).toBe("allow");
  });
});

describe("the old workaround: `delegation both` with a blanket allow on the bot's side", () => {
  const both = enginesFor(WORKAROUND);

  it("gives the same answers when the request names the requester", () => {
    expect(both(deploy(ALICE, "staging")).effect).toBe("allow");
    expect(both(deploy(EVE, "staging"))).toMatchObject({ effect: "deny", blockedBy: "human" });
  });

  it("but lets the bot act alone when the request names nobody: what human_only closes", () => {
    expect(both(deploy(undefined, "staging")).effect).toBe("allow");
    expect(enginesFor(CHATOPS)(deploy(undefined, "staging")).effect).toBe("deny");
  });
});
