export {
  ANVIL_MNEMONIC,
  type AnvilInstance,
  anvilBinary,
  type StartAnvilOptions,
  startAnvil,
} from './anvil.ts'
export {
  COORDINATOR_ROLE,
  DEFAULT_ADMIN_ROLE,
  DEFAULT_MAX_SLASH_BPS,
  DEFAULT_SHARE_BPS,
  DEFAULT_UNBONDING_DELAY,
  DEFAULT_WITHDRAWAL_DELAY,
  MINTER_ROLE,
  TREASURY_ROLE,
} from './constants.ts'
export {
  type DeployAllOptions,
  type DeployCreditsOptions,
  type Deployment,
  type DeployPrlxOptions,
  type DeployRegistryOptions,
  type DeployWallet,
  deployAll,
  deployCredits,
  deployPrlx,
  deployRegistry,
} from './deploy.ts'
export { AnvilStartError, DeployError } from './errors.ts'
export { sourceHash, solcVersion } from './generated/build-info.ts'
export { creditsAbi, creditsBytecode } from './generated/credits.ts'
export { prlxAbi, prlxBytecode } from './generated/prlx.ts'
export { registryAbi, registryBytecode } from './generated/registry.ts'
export { planSettlement, type SettlementPlan, type UsageEntry } from './settlement.ts'
export {
  CREDITS_DOMAIN_NAME,
  CREDITS_DOMAIN_VERSION,
  type CreditsDomainParams,
  creditsDomain,
  type SpendingAuthorization,
  signSpendingAuthorization,
  signWithdrawalApproval,
  spendingAuthorizationTypedData,
  spendingAuthorizationTypes,
  verifySpendingAuthorization,
  type WithdrawalApproval,
  withdrawalApprovalTypedData,
  withdrawalApprovalTypes,
} from './typed-data.ts'
