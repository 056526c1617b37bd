/**
 * Class F: approvals show exactly what will run. Tickets, audit entries and
 * digests come from one snapshot and show every member (`__proto__`,
 * `constructor` included); approver ids that differ from the agent's, the
 * human's or each other only by case or Unicode form are one identity — in
 * the gateway and in both engines.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionDigest, identityKey, meets, readAuditEntries, sameIdentity, toJsonSafe } from "../../runtime/governance/index.js";
import { approvalsMeet } from "../../runtime/finish/merge.js";
import { policy } from "../interpret/harness.js";
import { AGENT, BOB, engine, gateway, merge, request } from "../governance/harness.js";
import { MONEY_POLICY, runs } from "./gateway-harness.js";

const HIDDEN = '{"command":"review","timeout_seconds":60,"write_paths":[],"__proto__":{"command":"rm -rf /"},"constructor":{"prototype":1},"toString":"x"}';

describe("a ticket shows every member of what will run", () => {
  it("an args member named __proto__ is on the ticket, in the store, in the digest, and the approval binds it", async () => {
    const { gw, sink } = await gateway({ engine: engine(MONEY_POLICY) });
    const args = JSON.parse(HIDDEN) as Record<string, unknown>;
    const parked = await gw.check(request("shell.exec", args), { requestId: "w1" });
    expect(parked.action).toBe("wait");
    const ticket = parked.ticket!;
    expect(Object.keys(ticket.args as object)).toEqual(["command", "timeout_seconds", "write_paths", "__proto__", "constructor", "toString"]);
    expect(Object.getPrototypeOf(ticket.args)).toBe(Object.prototype);
    expect(JSON.stringify(ticket.args)).toBe(HIDDEN);
    expect(JSON.stringify((await gw.approvals.get(ticket.id))!.args)).toBe(HIDDEN);
    expect(actionDigest({ action: ticket.action, args: ticket.args, agent: ticket.agent, human: ticket.human, env: ticket.env, policyVersion: "1.0.0" })).toBe(ticket.digest);
    // The same args without the hidden member are another request: the approval does not cover it.
    const visible = JSON.parse(HIDDEN.replace(',"__proto__":{"command":"rm -rf /"}', "")) as Record<string, unknown>;
    const other = await gw.check(request("shell.exec", visible), { requestId: "w2" });
    expect(other.ticket!.id).not.toBe(ticket.id);
    await gw.approvals.approve(ticket.id, { id: "ops-1", groups: ["ops"] });
    expect((await gw.check(request("shell.exec", JSON.parse(HIDDEN)), { requestId: "w1" })).action).toBe("run");
    expect((await gw.check(request("shell.exec", visible), { requestId: "w2" })).action).toBe("wait");
    const approved = readAuditEntries(sink.text()).find((e) => e.kind === "approval.approve")!;
    expect(approved["digest"]).toBe(ticket.digest);
  });

  it("every JSON-safe copy keeps __proto__ and constructor as members", () => {
    const value = JSON.parse('{"a":{"__proto__":{"x":1},"constructor":2}}') as unknown;
    const copy = toJsonSafe(value);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
    expect(Object.getPrototypeOf((copy as { a: object }).a)).toBe(Object.prototype);
  });
});

describe("ids that differ only by case or Unicode form are one identity", () => {
  const bot = { id: "bot", groups: ["coding-bots"], trust: 2 };

  it("`BOT` cannot approve for the agent `bot`, nor `ＢＯＴ`, nor `b\\u200Bot`", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(123, { agent: bot }), { requestId: "r" });
    for (const id of ["BOT", "ＢＯＴ", "b\u200Bot", " bot "]) {
      expect(await gw.approvals.approve(ticket!.id, { id, groups: ["infra-reviewers"] })).toEqual({
        ok: false,
        code: "self_approval",
        message: `\`${id}\` is the requesting agent \`bot\` (ids that differ only in case or Unicode form are one identity) and cannot act on its own approval request \`t-1\``,
      });
    }
  });

  it("nor can the human it acts for, in any case", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(123, { human: { id: "Alice", groups: [], roles: [] } }), { requestId: "r" });
    expect(await gw.approvals.approve(ticket!.id, { id: "alice", groups: ["infra-reviewers"] })).toEqual({
      ok: false,
      code: "self_approval",
      message: "`alice` is the human the agent acts for `Alice` (ids that differ only in case or Unicode form are one identity) and cannot act on approval request `t-1`",
    });
  });

  it("`bob` and `BOB` are one approver: the second is a duplicate, and the ticket still needs another person", async () => {
    const { gw } = await gateway();
    const { ticket } = await gw.check(merge(), { requestId: "r" });
    expect((await gw.approvals.approve(ticket!.id, BOB)).ok).toBe(true);
    expect(await gw.approvals.approve(ticket!.id, { id: "BOB", groups: ["infra-reviewers"] })).toEqual({
      ok: false,
      code: "duplicate",
      message: "`BOB` has already approved approval request `t-1` as `bob` (ids that differ only in case or Unicode form are one identity)",
    });
    expect((await gw.approvals.get(ticket!.id))!.status).toBe("pending");
    expect(meets({ quorums: [{ count: 2, groups: [] }] }, [{ id: "bob", groups: [] }, { id: "BOB", groups: [] }], { agent: "x", human: null })).toBe(false);
  });

  it("both engines count state.approvals by identity key", () => {
    const interpreter = policy(`rule merge_review: approve github.pull_request.merge by 2 of group "infra-reviewers"`);
    const req = merge(123, { agent: bot });
    const requirement = { quorums: [{ count: 2, groups: ["infra-reviewers"] }] };
    const cases: [string[], boolean][] = [
      [["bob", "carol"], true],
      [["bob", "BOB"], false],
      [["bob", "ｂｏｂ"], false],
      [["BOT", "carol"], false],
      [["Straße", "STRASSE"], false],
    ];
    for (const [ids, allowed] of cases) {
      const approvals = ids.map((id) => ({ id, groups: ["infra-reviewers"] }));
      expect(interpreter.decide(req, { approvals }).effect).toBe(allowed ? "allow" : "approve");
      expect(approvalsMeet(requirement, approvals, "bot", undefined)).toBe(allowed);
    }
  });

  it("generated ids: a case or normalization variant of the agent's id never counts, in either engine", () => {
    const interpreter = policy(`rule r: approve github.pull_request.merge by 1 of group "g"`);
    const variant = fc.constantFrom<(s: string) => string>(
      (s) => s.toUpperCase(),
      (s) => s.toLowerCase(),
      (s) => s.normalize("NFD"),
      (s) => s.normalize("NFKD"),
      (s) => `\u200B${s}\u00AD`,
      (s) => ` ${s}\u00A0`,
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }).filter((s) => identityKey(s) !== ""), variant, (id, change) => {
        const other = change(id);
        expect(sameIdentity(id, other)).toBe(true);
        const req = merge(1, { agent: { id, groups: [], trust: 2 } });
        expect(interpreter.decide(req, { approvals: [{ id: other, groups: ["g"] }] }).effect).not.toBe("allow");
        expect(approvalsMeet({ quorums: [{ count: 1, groups: ["g"] }] }, [{ id: other, groups: ["g"] }], id, undefined)).toBe(false);
      }),
      { numRuns: runs(300), seed: 1104 },
    );
  });

  it("the identity key is a fixed point and ignores case and Unicode form, for generated strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 10 }), (s) => {
        const key = identityKey(s);
        expect(identityKey(key)).toBe(key);
        for (const v of [s.toUpperCase(), s.toLowerCase(), s.normalize("NFC"), s.normalize("NFD"), s.normalize("NFKC"), s.normalize("NFKD")]) expect(identityKey(v)).toBe(key);
      }),
      { numRuns: runs(400), seed: 1105 },
    );
  });

  it("one pass is a fixed point for every code point (planes 0 and 1, every cased letter; all planes with AGP_ADVERSARIAL_RUNS)", () => {
    const last = process.env["AGP_ADVERSARIAL_RUNS"] === undefined ? 0x1ffff : 0x10ffff;
    for (let c = 0; c <= last; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const key = identityKey(String.fromCodePoint(c));
      if (identityKey(key) !== key) throw new Error(`U+${c.toString(16)} is not a fixed point`);
    }
    expect(identityKey("Straße")).toBe(identityKey("STRASSE"));
    expect(AGENT.id).toBe(identityKey(AGENT.id));
  });
});
