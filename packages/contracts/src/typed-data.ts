import {
  type Account,
  type Address,
  type Chain,
  type Hex,
  type Transport,
  type TypedDataDomain,
  verifyTypedData,
  type WalletClient,
} from 'viem'

/** EIP-712 domain name of the credit vault. */
export const CREDITS_DOMAIN_NAME = 'ParalleliXAICredits'

/** EIP-712 domain version of the credit vault. */
export const CREDITS_DOMAIN_VERSION = '1'

/** EIP-712 types of the spending authorization a user signs for a coordinator. */
export const spendingAuthorizationTypes = {
  SpendingAuthorization: [
    { name: 'user', type: 'address' },
    { name: 'coordinator', type: 'address' },
    { name: 'cap', type: 'uint256' },
    { name: 'expiry', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const

/** EIP-712 types of the co-signature a coordinator gives for an instant withdrawal. */
export const withdrawalApprovalTypes = {
  WithdrawalApproval: [
    { name: 'user', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

/** What a user allows: `coordinator` may debit up to `cap` in total until `expiry`. */
export type SpendingAuthorization = {
  user: Address
  coordinator: Address
  cap: bigint
  expiry: bigint
  /** Must equal the vault's `authorizationNonce(user)`. */
  nonce: bigint
}

/** What a coordinator approves: `user` may withdraw `amount` at once until `deadline`. */
export type WithdrawalApproval = {
  user: Address
  amount: bigint
  /** Must equal the vault's `withdrawalNonce(user)`. */
  nonce: bigint
  deadline: bigint
}

/** Where a signature is valid: the chain and the vault's address. */
export type CreditsDomainParams = { chainId: number; credits: Address }

type SigningClient = WalletClient<Transport, Chain | undefined, Account>

/** The vault's EIP-712 domain on `chainId`. */
export function creditsDomain({ chainId, credits }: CreditsDomainParams): TypedDataDomain {
  return {
    name: CREDITS_DOMAIN_NAME,
    version: CREDITS_DOMAIN_VERSION,
    chainId,
    verifyingContract: credits,
  }
}

/** Typed data for `signTypedData` (wallet or local account) of a spending authorization. */
export function spendingAuthorizationTypedData(
  domain: CreditsDomainParams,
  message: SpendingAuthorization,
) {
  return {
    domain: creditsDomain(domain),
    types: spendingAuthorizationTypes,
    primaryType: 'SpendingAuthorization',
    message,
  } as const
}

/** Typed data for `signTypedData` of an instant-withdrawal co-signature. */
export function withdrawalApprovalTypedData(
  domain: CreditsDomainParams,
  message: WithdrawalApproval,
) {
  return {
    domain: creditsDomain(domain),
    types: withdrawalApprovalTypes,
    primaryType: 'WithdrawalApproval',
    message,
  } as const
}

/** Signs a spending authorization with the client's account (the user). */
export function signSpendingAuthorization(
  client: SigningClient,
  domain: CreditsDomainParams,
  message: SpendingAuthorization,
): Promise<Hex> {
  return client.signTypedData({
    account: client.account,
    ...spendingAuthorizationTypedData(domain, message),
  })
}

/** Signs an instant-withdrawal approval with the client's account (a coordinator). */
export function signWithdrawalApproval(
  client: SigningClient,
  domain: CreditsDomainParams,
  message: WithdrawalApproval,
): Promise<Hex> {
  return client.signTypedData({
    account: client.account,
    ...withdrawalApprovalTypedData(domain, message),
  })
}

/** Whether `signature` is `message.user`'s ECDSA signature of the authorization. */
export function verifySpendingAuthorization(
  domain: CreditsDomainParams,
  message: SpendingAuthorization,
  signature: Hex,
): Promise<boolean> {
  return verifyTypedData({
    address: message.user,
    signature,
    ...spendingAuthorizationTypedData(domain, message),
  })
}
