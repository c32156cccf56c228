/**
 * Whether text holds a C0 control character or DEL: such characters break log lines,
 * headers and URLs, so no key, prefix or file name may carry one.
 */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
