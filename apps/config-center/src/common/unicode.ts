/**
 * ES2024's String.prototype.isWellFormed (Node 20 has it; the project's lib is ES2022): true
 * when `text` holds no lone surrogate, i.e. has a UTF-8 form.
 */
export const isWellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed();
