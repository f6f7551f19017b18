/**
 * Errors whose message is safe to show to the API client, each with its HTTP status and a stable
 * `code` (the problem body's `code`). Services throw these; the error handler turns them into
 * problem+json. Use the class of the status, never a bare status number.
 */
export class AppError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: string,
    message: string,
    /** Seconds to put in Retry-After (429, 503). */
    public readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed beyond what its schema says. */
export class BadRequestError extends AppError {
  constructor(message: string, code = 'bad_request') {
    super(400, code, message);
  }
}

/** 401: who calls is not known (or the credentials are wrong). */
export class UnauthorizedError extends AppError {
  constructor(message: string, code = 'unauthenticated') {
    super(401, code, message);
  }
}

/** 403: known caller, not allowed. */
export class ForbiddenError extends AppError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/** 422: well-formed, but it cannot be done (unknown scope, refused source…). */
export class UnprocessableError extends AppError {
  constructor(code: string, message: string) {
    super(422, code, message);
  }
}

/** 429 with Retry-After. */
export class TooManyRequestsError extends AppError {
  constructor(message: string, retryAfterSeconds: number, code = 'too_many_attempts') {
    super(429, code, message, retryAfterSeconds);
  }
}
