/** The golden cases of test/analyze/golden.test.ts: one small policy per finding kind. */
export const ANALYZE_CASES: Record<string, string> = {
  "AGP701 contradictory tests": `rule dead:
  allow demo.ticket.open
  when args.priority > 5 and args.severity == sev1 and args.priority < 3
`,
  "AGP701 against the catalog": `rule dead:
  allow demo.ticket.open
  when args.priority > 10 or args.title startsWith "this title is much longer than the sixty-four code points that the catalog allows"
`,
  "AGP702 shadowed by a deny": `rule no_drafts:
  deny demo.ticket.open
  when args.draft or args.severity == sev3

rule open_drafts:
  allow demo.ticket.open
  when args.draft and args.priority < 3
`,
  "AGP703 an approve always decides instead": `rule sev1_needs_oncall:
  approve demo.ticket.open
  when args.severity == sev1
  by 1 of group "oncall"

rule sev1_fast:
  allow demo.ticket.open
  when args.severity == sev1 and not args.draft
`,
  "AGP704 redundant": `rule urgent:
  allow demo.ticket.open
  when args.priority > 5 and "urgent" in args.labels

rule important:
  allow demo.ticket.open
  when args.priority > 3
`,
  "AGP705 and AGP706 action always denied, limit never charged": `rule never_close:
  deny demo.ticket.close

rule open:
  allow demo.ticket.open

limit closes: 5 per hour on demo.ticket.close
limit drafts: 3 per hour on demo.ticket.open when args.draft and args.priority > 10
`,
  "AGP701 strings compared with each other": `rule same:
  allow demo.ticket.open
  when has args.assignee and args.title == args.assignee and args.title startsWith "a" and args.assignee startsWith "b"

rule mine:
  allow demo.ticket.open
  when has args.assignee and args.assignee == agent.id and args.title matches "[!a-z]*"
`,
  "AGP703 the agent side always decides under delegation both": `package demo
actions "demo.json"
delegation both

rule alice:
  allow demo.ticket.close for human
  when human.id == "alice"

rule bots:
  approve demo.ticket.close
  by 1 of group "oncall"

rule open:
  allow demo.ticket.open
`,
  "no findings": `rule open:
  allow demo.ticket.open
  when args.title matches "[A-Z]*" and all l in args.labels: l != "spam"

rule close:
  approve demo.ticket.close
  when action.costClass > medium
  by 1 of group "oncall"
`,
};

/** Golden diffs: [before, after]. */
export const DIFF_CASES: Record<string, readonly [string, string]> = {
  "diff widens deny to allow": [
    `rule open:
  allow demo.ticket.open

rule no_sev1:
  deny demo.ticket.open
  when args.severity == sev1
`,
    `rule open:
  allow demo.ticket.open

rule no_sev1:
  deny demo.ticket.open
  when args.severity == sev1 and args.draft
`,
  ],
  "diff widens approve to allow by a smaller quorum": [
    `rule review:
  approve demo.ticket.close
  by 2 of group "oncall"
`,
    `rule review:
  approve demo.ticket.close
  by 1 of group "oncall"
`,
  ],
  "diff widens a limit cap and narrows a rule": [
    `rule open:
  allow demo.ticket.open
  when args.priority < 8

limit opens: 5 per hour on demo.ticket.open
`,
    `rule open:
  allow demo.ticket.open
  when args.priority < 6

limit opens: 10 per hour on demo.ticket.open
`,
  ],
  "diff equivalent rewrites": [
    `rule open:
  allow demo.ticket.open
  when args.severity in {"sev1", "sev2"} and not (args.draft or args.priority > 5)

rule spam:
  deny demo.ticket.open
  when any l in args.labels: l == "spam"
`,
    `rule spam:
  deny demo.ticket.open
  when "spam" in args.labels

rule open:
  allow demo.ticket.open
  when not args.draft and args.priority <= 5 and (args.severity == sev1 or args.severity == sev2)
`,
  ],
};
