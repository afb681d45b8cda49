// ESM entry of @postq/sdk: the same objects as the CommonJS entry (one addon instance).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const sdk = require('./index.js')

export const {
  PostQ,
  PostQError,
  PostQAuthError,
  PostQPermissionError,
  PostQNotFoundError,
  PostQConflictError,
  PostQRateLimitError,
  PostQServerError,
  PostQConnectionError,
  PostQTimeoutError,
  PostQValidationError,
  verifyOffline,
  parsePublicKey,
  verifyCertificate,
  verifyLedgerChain,
  verifyCheckpoint,
  verifyInclusion,
  verifyConsistency,
  seal,
  SealKey,
  HybridPublicKey,
  coreVersion,
} = sdk
export default PostQ
