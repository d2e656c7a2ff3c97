/** Base class for every protocol failure; `code` is stable and travels in error frames. */
export class ProtocolError extends Error {
  static override readonly name: string = 'ProtocolError'
  readonly code: string

  constructor (message: string, code = 'protocol_error', options?: ErrorOptions) {
    super(message, options)
    this.name = (this.constructor as typeof ProtocolError).name
    this.code = code
  }
}

/** A frame that is not valid JSON or does not match its schema. */
export class InvalidMessageError extends ProtocolError {
  static override readonly name = 'InvalidMessageError'

  constructor (message: string, options?: ErrorOptions) {
    super(message, 'invalid_message', options)
  }
}

/** A frame larger than the limit for its direction. */
export class FrameTooLargeError extends ProtocolError {
  static override readonly name = 'FrameTooLargeError'

  constructor (size: number, limit: number) {
    super(`frame of ${size} bytes exceeds the limit of ${limit} bytes`, 'frame_too_large')
  }
}

/** An advert whose signature does not recover to the operator it names. */
export class InvalidAdvertSignatureError extends ProtocolError {
  static override readonly name = 'InvalidAdvertSignatureError'

  constructor (message = 'advert signature does not match its operator') {
    super(message, 'invalid_advert_signature')
  }
}
