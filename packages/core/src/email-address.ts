// A leaf module (it imports nothing): the actor check and the command validator both use it, and
// they import each other's neighbours, so a constant here is defined before either runs.

/** The longest email address a party may have (RFC 3696's 320 characters). */
export const MAX_EMAIL = 320;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Whether a party's email has the shape of an address: something, one `@`, something, no spaces. */
export const isEmailAddress = (value: string): boolean => EMAIL.test(value);
