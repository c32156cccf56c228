/** What a customer id may look like: a letter or digit, then up to 63 of `A-Za-z0-9._-`. */
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** True when `value` is a well-formed customer id. */
export function isValidCustomerId(value: string): boolean {
  return CUSTOMER_ID_PATTERN.test(value);
}
