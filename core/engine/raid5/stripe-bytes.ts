/** STRIPE_SIZE: one page per member per stripe, as in the kernel (spec §4.13). */
export const STRIPE_SECTORS = 8;
export const STRIPE_BYTES = 4096;
