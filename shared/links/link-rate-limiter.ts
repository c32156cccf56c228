/** Limits how many links one customer may be issued, so that no customer starves the others. */
export interface LinkRateLimiter {
  /** Counts one link for the customer; a TooManyRequestsError once its minute is used up. */
  take(customerId: string, now: Date): Promise<void>;
}
