/** The injection token of the process's one Clock (from @attest/kernel); every context uses it. */
export const CLOCK = Symbol.for('attest.Clock');
