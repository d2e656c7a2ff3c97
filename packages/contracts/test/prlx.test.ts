import t from 'tap'
import { getContract, parseEther, parseSignature, zeroAddress } from 'viem'
import { deployPrlx, MINTER_ROLE, prlxAbi } from '../src/index.ts'
import { reverted, startChain } from './helpers/chain.ts'
import { eventsOf } from './helpers/events.ts'

const PORT = 8602

const chain = await startChain(PORT)
t.teardown(() => chain.stop())
const [admin, holder, stranger] = chain.accounts as [
  (typeof chain.accounts)[0],
  (typeof chain.accounts)[0],
  (typeof chain.accounts)[0],
]
const address = await deployPrlx(chain.wallets[0]!, chain.publicClient)
const prlx = getContract({
  address,
  abi: prlxAbi,
  client: { public: chain.publicClient, wallet: chain.wallets[0]! },
})

t.test('is the ParalleliX ERC-20 with 18 decimals and no initial supply', async (t) => {
  t.equal(await prlx.read.name(), 'ParalleliX')
  t.equal(await prlx.read.symbol(), 'PRLX')
  t.equal(await prlx.read.decimals(), 18)
  t.equal(await prlx.read.totalSupply(), 0n)
  t.equal(await prlx.read.hasRole([MINTER_ROLE, admin.address]), true)
})

t.test('mints for the minter role', async (t) => {
  const receipt = await chain.mined(prlx.write.mint([holder.address, parseEther('5')]))

  t.same(eventsOf(prlxAbi, receipt, 'Transfer')[0]?.args, {
    from: zeroAddress,
    to: holder.address,
    value: parseEther('5'),
  })
  t.equal(await prlx.read.balanceOf([holder.address]), parseEther('5'))
})

t.test('refuses to mint for anyone else', async (t) => {
  const err = await reverted(prlx.write.mint([stranger.address, 1n], { account: stranger }))

  t.same(err, {
    name: 'AccessControlUnauthorizedAccount',
    args: [stranger.address, MINTER_ROLE],
  })
})

t.test('sets an allowance from an EIP-2612 permit', async (t) => {
  const deadline = (await chain.now()) + 600n
  const signature = await holder.signTypedData({
    domain: {
      name: 'ParalleliX',
      version: '1',
      chainId: chain.anvil.chainId,
      verifyingContract: address,
    },
    types: {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    message: { owner: holder.address, spender: stranger.address, value: 3n, nonce: 0n, deadline },
  })
  const { v, r, s } = parseSignature(signature)

  await chain.mined(
    prlx.write.permit([holder.address, stranger.address, 3n, deadline, Number(v), r, s], {
      account: stranger,
    }),
  )

  t.equal(await prlx.read.allowance([holder.address, stranger.address]), 3n)
  t.equal(await prlx.read.nonces([holder.address]), 1n)
})
