// The password policy, for every form that sets a password (first-run setup, a new user, a password change).
// Length is what makes a password strong, so there are no character-class rules. bcrypt reads only the first
// 72 bytes: a longer password is refused with a clear message rather than silently cut (which would make
// everything after byte 72 irrelevant to signing in).
import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** What bcrypt reads of a password; the rest would be ignored. */
export const PASSWORD_MAX_BYTES = 72;

/** Length as a person counts it (an emoji is one character); past twice the maximum, any count will do. */
function characters(value: string): number {
  return value.length > PASSWORD_MAX_LENGTH * 2 ? value.length : Array.from(value).length;
}

export const passwordSchema = z.string().superRefine((value, ctx) => {
  const length = characters(value);
  if (length < PASSWORD_MIN_LENGTH) {
    ctx.addIssue({
      code: 'custom',
      message: `Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length}).`,
    });
  } else if (length > PASSWORD_MAX_LENGTH) {
    ctx.addIssue({ code: 'custom', message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` });
  } else if (Buffer.byteLength(value, 'utf8') > PASSWORD_MAX_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message:
        `Use at most ${PASSWORD_MAX_BYTES} bytes: that is ${PASSWORD_MAX_BYTES} plain letters, digits or symbols, ` +
        'fewer with accented letters or emoji (they take 2–4 bytes each).',
    });
  }
  if (length > 0 && value.trim() === '') {
    ctx.addIssue({ code: 'custom', message: 'A password cannot be only spaces.' });
  }
});

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The policy plus: not the account's own username or email (compared without case). */
export function passwordSchemaFor(username: string, email: string) {
  return passwordSchema.superRefine((value, ctx) => {
    if ((username.trim() !== '' && sameText(value, username)) || (email.trim() !== '' && sameText(value, email))) {
      ctx.addIssue({ code: 'custom', message: 'The password cannot be your username or email address.' });
    }
  });
}

export type Password = z.infer<typeof passwordSchema>;
