/** The vault functions an operator uses to read and claim its earnings. */
export const earningsAbi = [
  {
    type: 'function',
    name: 'earningsOf',
    stateMutability: 'view',
    inputs: [{ name: 'operator', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }]
  },
  {
    type: 'function',
    name: 'totalEarned',
    stateMutability: 'view',
    inputs: [{ name: 'operator', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }]
  },
  {
    type: 'function',
    name: 'claimEarnings',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'to', type: 'address' }],
    outputs: [{ name: 'amount', type: 'uint256' }]
  }
] as const

/** The vault function that holds each settled batch's Merkle root (zero when unknown). */
export const batchRootAbi = [
  {
    type: 'function',
    name: 'batchRoot',
    stateMutability: 'view',
    inputs: [{ name: 'batchId', type: 'bytes32' }],
    outputs: [{ name: '', type: 'bytes32' }]
  }
] as const
