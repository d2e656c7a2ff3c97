import { keccak256, recoverMessageAddress, stringToBytes, type Hex, type LocalAccount } from 'viem'
import { canonicalJson } from './canonical-json.ts'
import { InvalidAdvertSignatureError } from './errors.ts'
import type { Advert, AdvertBody } from './schemas.ts'

function advertDigest (body: AdvertBody): Hex {
  return keccak256(stringToBytes(canonicalJson(body)))
}

/** Signs a capability advert with the operator key (EIP-191 over its canonical hash). */
export async function signAdvert (body: AdvertBody, operator: LocalAccount): Promise<Advert> {
  const signature = await operator.signMessage({ message: { raw: advertDigest(body) } })
  return { body, signature }
}

/**
 * Checks that an advert was signed by the operator it names. The gossip layer separately
 * binds the advert to its libp2p sender, so together a peer cannot advertise for another.
 */
export async function verifyAdvert (advert: Advert): Promise<void> {
  const signer = await recoverMessageAddress({
    message: { raw: advertDigest(advert.body) },
    signature: advert.signature as Hex
  })
  if (signer.toLowerCase() !== advert.body.operator.toLowerCase()) {
    throw new InvalidAdvertSignatureError(
      `advert names operator ${advert.body.operator} but was signed by ${signer}`
    )
  }
}
