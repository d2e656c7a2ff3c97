/** Raised when the anvil process cannot be started or never answers RPC. */
export class AnvilStartError extends Error {
  static override name = 'AnvilStartError'
  override name = AnvilStartError.name
}

/** Raised when a deployment transaction fails or yields no contract address. */
export class DeployError extends Error {
  static override name = 'DeployError'
  override name = DeployError.name
}
