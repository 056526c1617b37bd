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
export { createGateway, Gateway, type CheckAction, type CheckResult, type GatewayOptions, type Outcome, type ReportOptions, type ReportResult } from "./gateway.js";
export type { DecisionEngine } from "./engine.js";
export { Sessions, SESSION_ROUNDS, keptForOutcome, type SessionSupport, type StoredSession } from "./sessions.js";
export { outcomeRequest, type KeptRequest, type OutcomeManifest } from "./outcome-record.js";
export { KillSwitch, MAX_PATTERN_SEGMENTS, coveringPatterns, familyOf, killReason, type KillActor, type KillScope, type KillSwitchRecord, type KillTarget } from "./kill-switch.js";
export { REDACTED, Secrets, hmacSha256Hex, type RedactedRequest, type SecretManifest } from "./secrets.js";
export { approvalsMeet } from "../approval-quorums.js";
export {
  Limits,
  MAX_AMOUNT,
  actualCostProblem,
  chargeProblem,
  counterKey,
  isAmount,
  type LimitsOptions,
  type Overrun,
  type Reservation,
  type ReservationStatus,
  type ReserveResult,
  type ReservedCharge,
  type Settlement,
} from "./limits.js";
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
export { Trust, DEFAULT_TRUST, RATE_BUCKETS, applyTrustEvent, foldTrust, initialTrust, trustConfig, trustRates, type RateBucket, type RateKind, type RateRule, type TrustConfig, type TrustEvent, type TrustEventKind, type TrustState } from "./trust.js";
export { AuditLog, AuditWriteError, GENESIS, entryHash, type AuditBody, type AuditEntry, type AuditKind, type AuditLogOptions } from "./audit.js";
export { auditLineOf, readAuditLine, parseAuditShape, sealAuditEntry, type AuditLineRead, type Sha256 } from "./audit-line.js";
export {
  AuditVerifier,
  MAX_PROBLEMS,
  parseAuditEntry,
  readAuditEntries,
  verifyAudit,
  type AuditAnchor,
  type AuditProblem,
  type AuditVerification,
  type AuditVerifyOptions,
} from "./audit-verify.js";
export { AUDIT_TABLE_HEADER, AuditTableWidths, auditMatcher, auditTableRow, queryAudit, parseSince, renderAuditTable, type AuditQuery } from "./audit-query.js";
export { Shadow, summarizeShadow, ruleIds, type ShadowRecord, type ShadowSummary } from "./shadow.js";
export { canonicalJson, digestOf, actionDigest, bindingOf, toJsonSafe, CanonicalJsonError, type ActionBinding } from "./digest.js";
export { sha256Hex } from "./sha256.js";
export { ManualClock, randomIds, sequentialIds, systemClock, timeOf, type Clock, type IdSource, type TimeInput } from "./clock.js";
export { snapshotJson, DEFAULT_SNAPSHOT_LIMITS, MAX_SNAPSHOT_DEPTH, type Snapshot, type SnapshotLimits } from "./snapshot.js";
export { identityKey, sameIdentity } from "../identity.js";
export { MemoryAuditSink, MemoryStateStore, type MemoryStoreOptions, type StoreChange } from "./store-memory.js";
export { COUNTER_MAX, counterOpProblem, parseStored, type AppendAfterResult, type AuditSink, type ChargeResult, type CounterOp, type CounterValue, type StateStore, type WriteOptions } from "./store.js";
