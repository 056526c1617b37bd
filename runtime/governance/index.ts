/**
 * The governance runtime's face: the state a gateway keeps around the pure
 * decision (kill switches, limits, approvals, trust, audit, shadow mode).
 *
 * In: a `DecisionEngine` (the runtime's `PolicyEngine`, or any engine with
 * `decide` and `policy`). Out: `createGateway` and the parts it is built
 * from, each usable alone. Must not import compiler/ or Node built-ins: this
 * runs in browsers and workers too. File-backed stores live in
 * runtime/node/ (a separate, Node-only entry). See docs/governance.md.
 */
export { createGateway, Gateway, type CheckAction, type CheckResult, type GatewayOptions, type Outcome, type ReportResult } from "./gateway.js";
export type { DecisionEngine } from "./engine.js";
export { KillSwitch, familyOf, killReason, type KillActor, type KillScope, type KillSwitchRecord, type KillTarget } from "./kill-switch.js";
export { Limits, counterKey, type LimitsOptions, type Reservation, type ReservationStatus, type ReserveResult, type ReservedCharge } from "./limits.js";
export { windowAt, type LimitWindow, type WindowSpan } from "./windows.js";
export {
  Approvals,
  meets,
  type ApprovalErrorCode,
  type ApprovalResult,
  type ApprovalTicket,
  type ApprovalsOptions,
  type TicketApproval,
  type TicketRequest,
  type TicketStatus,
} from "./approvals.js";
export { Trust, DEFAULT_TRUST, applyTrustEvent, foldTrust, initialTrust, type TrustConfig, type TrustEvent, type TrustEventKind, type TrustState } from "./trust.js";
export {
  AuditLog,
  GENESIS,
  entryHash,
  readAuditEntries,
  verifyAudit,
  type AuditBody,
  type AuditEntry,
  type AuditKind,
  type AuditProblem,
  type AuditVerification,
} from "./audit.js";
export { queryAudit, parseSince, renderAuditTable, type AuditQuery } from "./audit-query.js";
export { Shadow, summarizeShadow, ruleIds, type ShadowRecord, type ShadowSummary } from "./shadow.js";
export { canonicalJson, digestOf, actionDigest, bindingOf, toJsonSafe, CanonicalJsonError, type ActionBinding } from "./digest.js";
export { sha256Hex } from "./sha256.js";
export { ManualClock, randomIds, sequentialIds, systemClock, type Clock, type IdSource } from "./clock.js";
export { MemoryAuditSink, MemoryStateStore, type MemoryStoreOptions, type StoreChange } from "./store-memory.js";
export { parseStored, type AppendAfterResult, type AuditSink, type ChargeResult, type CounterOp, type CounterValue, type StateStore, type WriteOptions } from "./store.js";
