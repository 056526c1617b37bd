/**
 * Test support for the adversarial gateway suites: a sink that fails on
 * command, policies with a budget and an open (free-form) action, and
 * the fast-check run count (`AGP_ADVERSARIAL_RUNS` for long runs).
 */
import { MemoryAuditSink } from "../../runtime/governance/index.js";

/** How many generated cases each property runs: small in the suite, more with `AGP_ADVERSARIAL_RUNS=n`. */
export function runs(inSuite: number): number {
  const knob = Number(process.env["AGP_ADVERSARIAL_RUNS"]);
  return Number.isSafeInteger(knob) && knob > 0 ? knob : inSuite;
}

/** An audit sink whose next `failures` appends reject (or every append while `broken`). */
export class FlakySink extends MemoryAuditSink {
  failures = 0;
  broken = false;
  message = "disk full";

  override async append(lines: readonly string[]): Promise<void> {
    if (this.broken || this.failures > 0) {
      if (this.failures > 0) this.failures--;
      throw new Error(this.message);
    }
    return super.append(lines);
  }
}

/** A policy with a 500 usd budget, a rate limit, an approval and a free-form action (shell.exec args are open). */
export const MONEY_POLICY = `
rule aws_sandbox: allow aws.* when args.account == "sandbox"
rule deploys: allow deploy.*
rule shell_ok: allow shell.exec
rule review_shell: approve shell.exec when args.command == "review" by 1 of group "ops" because "needs ops"
limit daily_spend: budget 500 usd per day per agent on aws.ec2.* cost args.estimated_cost_usd
limit deploy_rate: 2 per hour per args.service on deploy.*
`;
