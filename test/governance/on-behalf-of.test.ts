/**
 * ChatOps on behalf of many people (docs/governance.md, ADR 0032): one
 * requester per request, whose permissions count under `delegation both`
 * with the bot's blanket allow; the requester confirms (`by requester`) and
 * a second person from a group approves — never the requester, never the
 * bot. The policy is the one the docs show, run through both engines.
 */
import { describe, expect, it } from "vitest";
import { CATALOGS } from "../interpret/harness.js";
import { checkText, pairOf } from "../compile/harness.js";

const CHATOPS = `package chatops
delegation both

rule bot_serves: allow deploy.*
rule people_deploy: allow deploy.* for human when "deployers" in human.groups
rule prod: approve deploy.* when env == "production" and has human
  by requester and 1 of group "sre"
`;

const BOT = { id: "chat-bot", groups: [], trust: 2 };
const ALICE = { id: "alice", groups: ["deployers"], roles: [] };
const EVE = { id: "eve", groups: ["marketing"], roles: [] };
const deploy = (human: object | undefined, env = "production") => ({ agent: BOT, action: "deploy.service", args: { service: "api" }, env, context: { session: "thread-1" }, ...(human === undefined ? {} : { human }) });

describe("a bot acting for the person who asked", () => {
  const { checked, catalogs } = checkText({ "policy.agp": CHATOPS }, CATALOGS);
  const { engine, interpreter } = pairOf(checked, catalogs);
  const both = (request: object, state?: object) => {
    const a = interpreter.decide(request, state as never);
    expect(JSON.stringify(engine.decide(request, state as never))).toBe(JSON.stringify(a));
    return a;
  };

  it("only the requester's permissions count: a requester who may not deploy is refused, whatever the bot may do", () => {
    expect(both(deploy(ALICE, "staging")).effect).toBe("allow");
    expect(both(deploy(EVE, "staging"))).toMatchObject({ effect: "deny", blockedBy: "human" });
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
