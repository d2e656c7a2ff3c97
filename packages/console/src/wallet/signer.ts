import {
  createPublicClient, createWalletClient, custom, http, isAddressEqual, type Address,
  type EIP1193Provider, type Hex, type PublicClient, type TypedDataDefinition
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { requestJson } from '../api/request.ts'

/** Something that signs for one address: a browser wallet or the devnet's. */
export interface WalletSigner {
  kind: 'injected' | 'devnet'
  address: Address
  chainId: number
  /** EIP-191 personal_sign. */
  signMessage: (message: string) => Promise<Hex>
  /** EIP-712. */
  signTypedData: (data: TypedDataDefinition) => Promise<Hex>
  /** Reads the signer's chain; undefined when it has no way to reach one. */
  chain?: PublicClient
  /** Asks the wallet to move to `chainId`; a no-op where that is not possible. */
  switchChain: (chainId: number) => Promise<void>
}

/** Neither a browser wallet nor a devnet wallet is available. */
export class NoWalletError extends Error {
  override readonly name = 'NoWalletError'
}

/** The chain a devnet wallet signs for when the devnet names none: anvil's. */
export const DEVNET_CHAIN_ID = 31337

declare global {
  interface Window { ethereum?: EIP1193Provider }
}

/** Asks the injected EIP-1193 wallet (window.ethereum) for an account. */
async function injectedSigner (provider: EIP1193Provider): Promise<WalletSigner> {
  const wallet = createWalletClient({ transport: custom(provider) })
  const [address] = await wallet.requestAddresses()
  if (address === undefined) throw new NoWalletError('The wallet shared no account')
  const signer: WalletSigner = {
    kind: 'injected',
    address,
    chainId: await wallet.getChainId(),
    signMessage: async (message) => await wallet.signMessage({ account: address, message }),
    signTypedData: async (data) => await wallet.signTypedData({ account: address, ...data }),
    chain: createPublicClient({ transport: custom(provider) }) as PublicClient,
    switchChain: async (id) => {
      await wallet.switchChain({ id })
      signer.chainId = id
    }
  }
  return signer
}

interface DevnetWallet { address: Address, privateKey: Hex, chain_id?: number, rpc_url?: string }

/** The devnet's development wallet: this page signs with its private key. */
async function devnetSigner (): Promise<WalletSigner> {
  let wallet: DevnetWallet
  try {
    wallet = await requestJson<DevnetWallet>('/devnet/wallet', { anonymous: true })
  } catch {
    throw new NoWalletError('No wallet found: install a browser wallet such as MetaMask, or ' +
      'start the coordinator as a devnet, which offers a development wallet')
  }
  const account = privateKeyToAccount(wallet.privateKey)
  if (!isAddressEqual(account.address, wallet.address)) {
    throw new NoWalletError('The devnet wallet\'s key does not match its address')
  }
  return {
    kind: 'devnet',
    address: account.address,
    chainId: wallet.chain_id ?? DEVNET_CHAIN_ID,
    signMessage: async (message) => await account.signMessage({ message }),
    signTypedData: async (data) => await account.signTypedData(data),
    ...(wallet.rpc_url === undefined
      ? {}
      : { chain: createPublicClient({ transport: http(wallet.rpc_url) }) as PublicClient }),
    switchChain: async () => {}
  }
}

/** The browser wallet when there is one, else the devnet's development wallet. */
export async function connectSigner (): Promise<WalletSigner> {
  return window.ethereum === undefined
    ? await devnetSigner()
    : await injectedSigner(window.ethereum)
}

/** Whether this browser has an injected wallet. */
export function hasInjectedWallet (): boolean {
  return window.ethereum !== undefined
}
