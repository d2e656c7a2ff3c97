import {
  COORDINATOR_ROLE, MINTER_ROLE, creditsAbi, prlxAbi, spendingAuthorizationTypedData
} from '@parallelix/contracts'
import {
  createPublicClient, createWalletClient, defineChain, http, parseSignature,
  type Address, type Hex
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'

export interface DemoAccountOptions {
  /** The coordinator's API base, ending in /v1. */
  apiBase: string
  rpcUrl: string
  chainId: number
  contracts: { prlx: Address, credits: Address }
  /** The user's private key: it holds (or can mint) the PRLX to deposit. */
  userKey: Hex
  /** The coordinator the spending authorization is for. */
  coordinatorAddress: Address
  /** PRLX base units deposited into the vault; zero deposits nothing. */
  depositAmount: bigint
  /** Spending cap signed for the coordinator; the deposit when absent. */
  cap?: bigint
  /** Name of the API key created; 'devnet' when absent. */
  keyName?: string
  /**
   * How long to wait for the coordinator to credit the deposit (default 30 s); 0 returns
   * at once. Crediting needs the coordinator's confirmations: on an anvil that mines only
   * on transactions, run the coordinator with --confirmations 1.
   */
  waitForCreditMs?: number
}

export interface DemoAccount {
  /** A pk_live_ key of the account, as a client sends it in Authorization: Bearer. */
  apiKey: string
  /** The user's address. */
  account: Address
  /** The sign-in session (ps_…) that created the key; it expires within a day. */
  session: string
}

const HTTP_TIMEOUT_MS = 15_000
const AUTHORIZATION_DAYS = 30n

/**
 * Sets up a user the way a real client would: deposits PRLX into the vault with an
 * EIP-2612 permit (minting first when short and allowed to), signs in to the coordinator
 * with Ethereum, signs the vault's spending authorization for it, and creates an API key.
 */
export async function provisionDemoAccount (opts: DemoAccountOptions): Promise<DemoAccount> {
  const user = privateKeyToAccount(opts.userKey)
  const chain = defineChain({
    id: opts.chainId,
    name: `chain ${opts.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.rpcUrl] } }
  })
  const publicClient = createPublicClient({ chain, transport: http(opts.rpcUrl) })
  const wallet = createWalletClient({ account: user, chain, transport: http(opts.rpcUrl) })
  const { prlx, credits } = opts.contracts

  const held = await publicClient.readContract({
    address: prlx, abi: prlxAbi, functionName: 'balanceOf', args: [user.address]
  })
  if (opts.depositAmount > 0n) {
    if (held < opts.depositAmount) await mintShortfall(opts.depositAmount - held)
    await depositWithPermit()
  }

  const info = await api<{ nonce: string, domain: string, coordinator: string | null }>(
    'GET', '/auth/nonce')
  if (info.coordinator?.toLowerCase() !== opts.coordinatorAddress.toLowerCase()) {
    throw new Error(`the coordinator signs as ${info.coordinator ?? 'nobody'}, ` +
      `not ${opts.coordinatorAddress}: start it with that coordinator key`)
  }
  const message = createSiweMessage({
    domain: info.domain,
    address: user.address,
    statement: 'Sign in to ParalleliX.',
    uri: new URL(opts.apiBase).origin,
    version: '1',
    chainId: opts.chainId,
    nonce: info.nonce,
    issuedAt: new Date(),
    expirationTime: new Date(Date.now() + 24 * 3600_000)
  })
  const authorization = await signAuthorization()
  const signedIn = await api<{ session: string }>('POST', '/auth/siwe', {
    message, signature: await user.signMessage({ message }), authorization
  })
  const key = await api<{ value: string }>('POST', '/keys',
    { name: opts.keyName ?? 'devnet' }, signedIn.session)
  await waitForCredit(key.value)
  return { apiKey: key.value, account: user.address, session: signedIn.session }

  async function waitForCredit (apiKey: string): Promise<void> {
    const deadline = Date.now() + (opts.waitForCreditMs ?? 30_000)
    while (opts.depositAmount > 0n && Date.now() < deadline) {
      const usage = await api<{ credits: { balance: string } }>('GET', '/usage', undefined, apiKey)
      if (BigInt(usage.credits.balance) >= opts.depositAmount) return
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    if (opts.depositAmount > 0n && (opts.waitForCreditMs ?? 30_000) > 0) {
      throw new Error('the coordinator did not credit the deposit in time: does it follow ' +
        'this vault, and does the chain reach its confirmations?')
    }
  }

  async function mintShortfall (shortfall: bigint): Promise<void> {
    const minter = await publicClient.readContract({
      address: prlx, abi: prlxAbi, functionName: 'hasRole', args: [MINTER_ROLE, user.address]
    })
    if (!minter) {
      throw new Error(`${user.address} holds ${held} PRLX units, needs ${opts.depositAmount}, ` +
        'and may not mint: fund it first')
    }
    await confirm(await wallet.writeContract({
      address: prlx, abi: prlxAbi, functionName: 'mint', args: [user.address, shortfall]
    }))
  }

  async function depositWithPermit (): Promise<void> {
    const [domain, nonce] = await Promise.all([
      publicClient.getEip712Domain({ address: prlx }),
      publicClient.readContract({
        address: prlx, abi: prlxAbi, functionName: 'nonces', args: [user.address]
      })
    ])
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600)
    const signature = await user.signTypedData({
      domain: {
        name: domain.domain.name,
        version: domain.domain.version,
        chainId: domain.domain.chainId,
        verifyingContract: domain.domain.verifyingContract
      },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' }
        ]
      },
      primaryType: 'Permit',
      message: { owner: user.address, spender: credits, value: opts.depositAmount, nonce, deadline }
    })
    const { v, r, s, yParity } = parseSignature(signature)
    await confirm(await wallet.writeContract({
      address: credits,
      abi: creditsAbi,
      functionName: 'depositWithPermit',
      args: [user.address, opts.depositAmount, deadline, Number(v ?? BigInt(yParity + 27)), r, s]
    }))
  }

  async function signAuthorization () {
    const isCoordinator = await publicClient.readContract({
      address: credits, abi: creditsAbi, functionName: 'hasRole',
      args: [COORDINATOR_ROLE, opts.coordinatorAddress]
    })
    if (!isCoordinator) throw new Error(`${opts.coordinatorAddress} is no coordinator of the vault`)
    const nonce = await publicClient.readContract({
      address: credits, abi: creditsAbi, functionName: 'authorizationNonce', args: [user.address]
    })
    const cap = opts.cap ?? opts.depositAmount
    const expiry = BigInt(Math.floor(Date.now() / 1000)) + AUTHORIZATION_DAYS * 86_400n
    const signature = await user.signTypedData(spendingAuthorizationTypedData(
      { chainId: opts.chainId, credits },
      { user: user.address, coordinator: opts.coordinatorAddress, cap, expiry, nonce }))
    return { cap: cap.toString(), expiry: expiry.toString(), nonce: nonce.toString(), signature }
  }

  async function confirm (hash: Hex): Promise<void> {
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
  }

  async function api<T> (method: string, path: string, body?: unknown, token?: string) {
    const res = await fetch(`${opts.apiBase}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS)
    })
    const json = await res.json() as T & { error?: { message: string } }
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.error?.message ?? ''}`)
    return json
  }
}
