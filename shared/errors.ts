/** One problem with one field of a request or of the configuration. */
export interface FieldProblem {
  field: string;
  problem: string;
}

interface AppErrorOptions {
  status: number;
  /** Whether the message may reach the caller; otherwise the caller sees a generic 500. */
  expose: boolean;
  cause?: unknown;
}

/** An error the handlers know how to answer: its HTTP status and whether to show its message. */
export class AppError extends Error {
  readonly status: number;
  readonly expose: boolean;

  constructor(message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.expose = options.expose;
  }
}

/** The most problems one answer lists: a body of 20,000 bad fields gets a short answer. */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * 400: the request is malformed. Lists every problem at once, so one round trip fixes all
 * (up to MAX_LISTED_PROBLEMS; `omittedProblems` counts the rest).
 */
export class ValidationError extends AppError {
  readonly problems: readonly FieldProblem[];
  readonly omittedProblems: number;

  constructor(problems: readonly FieldProblem[]) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const omitted = problems.length - listed.length;
    super(
      listed
        .map((p) => `${p.field}: ${p.problem}`)
        .concat(omitted > 0 ? [`and ${omitted} more problems`] : [])
        .join('; '),
      { status: 400, expose: true },
    );
    this.problems = listed;
    this.omittedProblems = omitted;
  }
}

/** 401: no API key, or one that is unknown or revoked. */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(message, { status: 401, expose: true });
  }
}

/** 403: the caller is known but may not do this. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(message, { status: 403, expose: true });
  }
}

/**
 * 403: the customer's usage this month has reached its byte budget, so no new link is
 * issued until the month ends (links already issued still work).
 */
export class BudgetExhaustedError extends AppError {
  constructor(message: string) {
    super(message, { status: 403, expose: true });
  }
}

/** 413: the request body is larger than the API reads. */
export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(message, { status: 413, expose: true });
  }
}

/** 429: the caller asked too often; it may try again after `retryAfterSeconds`. */
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { status: 429, expose: true });
  }
}

/** 404: no such thing, or none the caller may see. */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, { status: 404, expose: true });
  }
}

/** 409: it exists already. */
export class ConflictError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(message, { status: 409, expose: true, cause });
  }
}

/** The environment is missing or has invalid settings; lists every one at once. */
export class ConfigError extends AppError {
  readonly problems: readonly FieldProblem[];

  constructor(problems: readonly FieldProblem[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, {
      status: 500,
      expose: false,
    });
    this.problems = problems;
  }
}
