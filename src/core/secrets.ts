// The shapes of tokens we may meet without having registered them (a page echoing an Authorization
// header, a token in someone else's message).

/** A Pulumi access token: redacted from everything we print. */
export const PULUMI_TOKEN_SHAPE = /\bpul-[A-Za-z0-9_-]{6,}/g;

/** A JWT: redacted from excerpts of what a server sent (debug output redacts only the JWTs it registered). */
export const JWT_SHAPE = /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_.-]*/g;
