/** An error the API answered with, in OpenAI's shape `{ error: { message, type, code } }`. */
export class ConsoleApiError extends Error {
  override readonly name = 'ConsoleApiError'

  constructor (
    readonly status: number,
    message: string,
    readonly code: string | null = null
  ) {
    super(message)
  }

  /** The caller must sign in (again) before this request can succeed. */
  get needsSignIn (): boolean {
    return this.status === 401
  }
}

/** The API could not be reached or gave no answer in time. */
export class ConsoleNetworkError extends Error {
  override readonly name = 'ConsoleNetworkError'
}

/** Reads an error response into a ConsoleApiError, whatever its body. */
export async function errorFromResponse (response: Response): Promise<ConsoleApiError> {
  const text = await response.text().catch(() => '')
  let message = `${response.status} ${response.statusText}`.trim()
  let code: string | null = null
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown, code?: unknown } }
    if (typeof body.error?.message === 'string') message = body.error.message
    if (typeof body.error?.code === 'string') code = body.error.code
  } catch {}
  return new ConsoleApiError(response.status, message, code)
}
