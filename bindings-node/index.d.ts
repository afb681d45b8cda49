// Hand-written types of the JavaScript layer (index.js). Every request and response
// shape is generated from the schema (schema/postq.schema.json → types.generated.d.ts,
// by json-schema-to-typescript); the two typed offline results come from the napi build
// (native.d.ts). What stays here is Node's own idiom: options in milliseconds, payload
// types, the error classes and the resource classes.
import type {
  ArtifactInfo,
  AuditQuery,
  ChainReport,
  ConsistencyProof,
  ConsistencyProofArgs,
  CreateKeyRequest,
  CreateRolloverRequest,
  CreateScanRequest,
  Credential,
  Deleted,
  Health,
  HybridKey,
  InclusionProof,
  InclusionProofArgs,
  IngestKubernetesRequest,
  LedgerEntry,
  LedgerKey,
  ListQuery,
  Rollover,
  RolloverCreated,
  RolloverStatus,
  RotateKeyRequest,
  Scan,
  ScanSummary,
  SealRequest,
  SidecarReport,
  SignedCheckpoint,
  SignResponse,
  UnsealedCredential,
  UpdateKeyRequest,
  WitnessResult,
} from './types.generated'
import type { PublicKeyInfo, VerifyResult } from './native'

export type * from './types.generated'
export type { PublicKeyInfo, VerifyResult } from './native'

/** `pq.scans.submit(...)` body. */
export type ScanInput = CreateScanRequest
/** `pq.hybridKeys.create(...)` body. */
export type CreateKeyInput = CreateKeyRequest
/** `pq.hybridKeys.rotate(id, ...)` body. */
export type RotateKeyInput = RotateKeyRequest
/** `pq.hybridKeys.update(id, ...)` body. */
export type UpdateKeyInput = UpdateKeyRequest
/** `pq.vault.seal(...)` body. */
export type SealInput = SealRequest
/** `pq.rollovers.create(...)` body. */
export type CreateRolloverInput = CreateRolloverRequest
/** Paging (and `include`) of list calls. */
export type ListOptions = ListQuery
/** A ledger row (docs/formats.md §6). */
export type AuditEntry = LedgerEntry
/** A composite signature made by the server. */
export type SignResult = SignResponse
/** A downloaded artifact. */
export type Artifact = ArtifactInfo & { body: Buffer }

/** Options of `new PostQ(...)`. Unset fields come from `POSTQ_API_KEY` / `POSTQ_BASE_URL`. */
export interface ClientOptions {
  /** `pq_live_…` (default: `POSTQ_API_KEY`). Never printed. */
  apiKey?: string
  /** Default `POSTQ_BASE_URL` or `https://api.postq.dev`. Plain http only for loopback. */
  baseUrl?: string
  /** Retries after the first attempt (default 2). */
  maxRetries?: number
  /** Whole call including retries, in ms (default 180000); an attempt never outlives it. */
  timeoutMs?: number
  /** One attempt including the body, in ms (default 60000). */
  attemptTimeoutMs?: number
  /** Connection establishment, in ms (default 10000). */
  connectTimeoutMs?: number
  /** First backoff step in ms (default 500, doubles, jittered). */
  initialBackoffMs?: number
  /** Longest `Retry-After` honoured, in ms (default 60000); longer fails fast. */
  maxRetryAfterMs?: number
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string>
}

/** Per-call options. */
export interface CallOptions {
  /** Retries for this call. */
  maxRetries?: number
  /** Whole-call timeout for this call, in ms. */
  timeoutMs?: number
  /** Use this `Idempotency-Key` (writes) instead of a generated one. */
  idempotencyKey?: string
  /** Extra request headers (tracing ids, the reference server's `X-PostQ-Fault`). */
  headers?: Record<string, string>
}

/** What payloads may be: bytes, or a string (encoded as UTF-8). */
export type Payload = Uint8Array | ArrayBuffer | ArrayBufferView | string

/** One page of a list; `nextCursor` is `null` on the last page. */
export interface Page<T> {
  data: T[]
  nextCursor: string | null
}

export type ArtifactName = 'cert.pem' | 'bundle.sh' | 'import.sh' | 'bind.sh' | 'rollback.sh' | 'site.bicep'

/** A published hybrid public key: its JSON text, a JWK Set text, or an object holding one. */
export type PublicKeyLike = string | PublicKeyInfo | HybridKey | object

export interface SignRequest {
  keyId: string
  payload: Payload
}

export type VerifyRequest =
  | { keyId: string; publicKey?: undefined; payload: Payload; signature: string; offline?: false }
  | { publicKey: PublicKeyLike; keyId?: undefined; payload: Payload; signature: string; offline?: boolean }

export interface OfflineVerifyRequest {
  publicKey: PublicKeyLike
  payload: Payload
  signature: string
}

export interface AuditFilter extends Omit<AuditQuery, 'since' | 'until'> {
  since?: string | Date
  until?: string | Date
}

/** A ledger key: the object (`pq.audit.ledgerKey()`, a witness result's `ledgerKey`) or its JSON text. */
export type LedgerKeyLike = LedgerKey | string
/** A signed checkpoint: the signed note text, or a `SignedCheckpoint` carrying it. */
export type CheckpointLike = SignedCheckpoint | string

/** `pq.audit.witness(...)`: the last result's `state`, or a key to pin (neither: trust on first use). */
export interface WitnessRequest {
  /** The `state` of the previous result (keep it in a file between runs). */
  state?: string
  /** The ledger key to pin when there is no state; with a state it must be the pinned one. */
  ledgerKey?: LedgerKeyLike
}

/** What an inclusion proof is checked against: a witness state, or a ledger key and a signed checkpoint. */
export type InclusionAnchor =
  | { state: string; ledgerKey?: undefined; checkpoint?: undefined }
  | { ledgerKey: LedgerKeyLike; checkpoint: CheckpointLike; state?: undefined }

export declare class PostQError extends Error {
  constructor(message: string, details?: { status?: number; code?: string; requestId?: string; cause?: unknown })
  /** HTTP status, when the API answered. */
  readonly status: number | undefined
  /** Stable machine-readable code (`unauthorized`, `rate_limited`, `invalid_signature`, …). */
  readonly code: string
  /** The request id, for support. */
  readonly requestId: string | undefined
}
/** 401: missing or invalid API key. */
export declare class PostQAuthError extends PostQError {}
/** 403: the key lacks the scope (or vault access is denied). */
export declare class PostQPermissionError extends PostQError {}
/** 404. */
export declare class PostQNotFoundError extends PostQError {}
/** 409: idempotency key reused / in progress, invalid rollover transition, … */
export declare class PostQConflictError extends PostQError {}
/** 429. */
export declare class PostQRateLimitError extends PostQError {
  /** Seconds the server asked to wait. */
  readonly retryAfter: number | undefined
}
/** 5xx. */
export declare class PostQServerError extends PostQError {}
/** The server could not be reached or the connection broke (after retries). */
export declare class PostQConnectionError extends PostQError {}
/** A connect, attempt or whole-call timeout elapsed. */
export declare class PostQTimeoutError extends PostQConnectionError {}
/** Bad input caught locally, before any request (code `invalid_input`, `invalid_signature`, `invalid_config` …). */
export declare class PostQValidationError extends PostQError {}

declare class Scans {
  submit(scan: ScanInput, options?: CallOptions): Promise<Scan>
  list(query?: ListOptions, options?: CallOptions): Promise<Page<ScanSummary>>
  listAll(query?: ListOptions, options?: CallOptions): AsyncGenerator<ScanSummary, void, undefined>
  get(id: string, options?: CallOptions): Promise<Scan>
}

declare class HybridKeys {
  create(request: CreateKeyInput, options?: CallOptions): Promise<HybridKey>
  list(query?: ListOptions, options?: CallOptions): Promise<Page<HybridKey>>
  listAll(query?: ListOptions, options?: CallOptions): AsyncGenerator<HybridKey, void, undefined>
  get(id: string, options?: CallOptions): Promise<HybridKey>
  publicKey(id: string, query?: { version?: number }, options?: CallOptions): Promise<PublicKeyInfo>
  rotate(id: string, request?: RotateKeyInput, options?: CallOptions): Promise<HybridKey>
  update(id: string, request: UpdateKeyInput, options?: CallOptions): Promise<HybridKey>
}

declare class Vault {
  seal(request: SealInput, options?: CallOptions): Promise<Credential>
  list(query?: ListOptions, options?: CallOptions): Promise<Page<Credential>>
  listAll(query?: ListOptions, options?: CallOptions): AsyncGenerator<Credential, void, undefined>
  unseal(id: string, options?: CallOptions): Promise<UnsealedCredential>
  rotate(id: string, options?: CallOptions): Promise<Credential>
  delete(id: string, options?: CallOptions): Promise<Deleted>
}

declare class Rollovers {
  create(request: CreateRolloverInput, options?: CallOptions): Promise<RolloverCreated>
  list(query?: ListOptions, options?: CallOptions): Promise<Page<Rollover>>
  listAll(query?: ListOptions, options?: CallOptions): AsyncGenerator<Rollover, void, undefined>
  get(id: string, options?: CallOptions): Promise<Rollover>
  transition(id: string, to: RolloverStatus, options?: CallOptions): Promise<Rollover>
  rollback(id: string, options?: CallOptions): Promise<Rollover>
  download(id: string, artifact: ArtifactName, options?: CallOptions): Promise<Artifact>
  /** Every artifact into `dir` (created if needed; scripts made executable); the paths written. */
  downloadAll(id: string, dir: string, options?: CallOptions): Promise<string[]>
}

declare class Audit {
  list(query?: AuditFilter, options?: CallOptions): Promise<Page<AuditEntry>>
  listAll(query?: AuditFilter, options?: CallOptions): AsyncGenerator<AuditEntry, void, undefined>
  verifyChain(query?: AuditFilter, options?: CallOptions): Promise<ChainReport>
  checkpoint(options?: CallOptions): Promise<SignedCheckpoint>
  ledgerKey(options?: CallOptions): Promise<LedgerKey>
  inclusionProof(query: InclusionProofArgs, options?: CallOptions): Promise<InclusionProof>
  consistencyProof(query: ConsistencyProofArgs, options?: CallOptions): Promise<ConsistencyProof>
  /** Advance a witness to the latest checkpoint; refusals throw `PostQError` (`ledger_fork`, …). */
  witness(request?: WitnessRequest, options?: CallOptions): Promise<WitnessResult>
}

declare class Ingest {
  /** One Kubernetes cluster report, recorded as a `k8s` scan (a retry records one scan). */
  kubernetes(report: IngestKubernetesRequest, options?: CallOptions): Promise<Scan>
}

export type { Scans, HybridKeys, Vault, Rollovers, Audit, Ingest }

/** The postq API client. */
export declare class PostQ {
  constructor(options?: ClientOptions)
  readonly baseUrl: string
  readonly scans: Scans
  readonly hybridKeys: HybridKeys
  readonly vault: Vault
  readonly rollovers: Rollovers
  readonly audit: Audit
  readonly ingest: Ingest
  health(options?: CallOptions): Promise<Health>
  sign(request: SignRequest, options?: CallOptions): Promise<SignResult>
  verify(request: VerifyRequest, options?: CallOptions): Promise<VerifyResult>
  static verifyOffline(request: OfflineVerifyRequest): VerifyResult
}
export default PostQ

/** Verify a hybrid signature against a published public key, locally (no network). */
export declare function verifyOffline(request: OfflineVerifyRequest): VerifyResult
/** Parse and check a published hybrid public key (JSON or JWK Set). */
export declare function parsePublicKey(publicKey: PublicKeyLike): PublicKeyInfo
/** Verify a hybrid certificate's ML-DSA-65 sidecar offline. */
export declare function verifyCertificate(
  certificate: string | Uint8Array,
  options?: { hostname?: string; at?: string | Date },
): SidecarReport
/** Verify audit ledger rows offline; `complete: true` for a full export. */
export declare function verifyLedgerChain(rows: AuditEntry[], options?: { complete?: boolean }): ChainReport
/** Verify a signed checkpoint against the ledger key; throws `PostQError` `ledger_bad_signature`. */
export declare function verifyCheckpoint(ledgerKey: LedgerKeyLike, checkpoint: CheckpointLike): SignedCheckpoint
/** Verify a row's inclusion proof; returns the checkpoint it was proven in (throws `ledger_inclusion_failed`). */
export declare function verifyInclusion(
  row: AuditEntry,
  proof: InclusionProof,
  anchor: InclusionAnchor,
): SignedCheckpoint
/** Verify that `newer` extends `older`; returns `newer` (throws `ledger_fork`, `ledger_shrink`, `ledger_consistency_failed`). */
export declare function verifyConsistency(
  ledgerKey: LedgerKeyLike,
  older: CheckpointLike,
  newer: CheckpointLike,
  proof?: ConsistencyProof,
): SignedCheckpoint
/** Seal to a recipient public key; returns the base64 `pqseal-v1` envelope. */
export declare function seal(
  recipientPublicKey: string | Uint8Array,
  plaintext: Payload,
  options?: { aad?: Payload },
): string

/** A `pqseal-v1` recipient key pair (ML-KEM-768 + X25519). */
export declare class SealKey {
  private constructor()
  static generate(): SealKey
  static fromSeed(seed: Uint8Array): SealKey
  readonly publicKey: string
  readonly fingerprint: string
  exportSeed(): Buffer
  open(envelope: string | Uint8Array, options?: { aad?: Payload }): Buffer
}

/** A published hybrid public key parsed once; verify many signatures against it. */
export declare class HybridPublicKey {
  private constructor()
  static parse(publicKey: PublicKeyLike): HybridPublicKey
  readonly keyId: string
  readonly version: number
  readonly fingerprint: string
  toJson(): string
  toJwk(): string
  toJSON(): object
  /** Verify a signature envelope over `payload`, locally (as `verifyOffline`). */
  verify(payload: Payload, signature: string): VerifyResult
}

export declare function coreVersion(): string
