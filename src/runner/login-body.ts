// The Login body every login of the harness starts from (the control connection, actors, scenarios):
// one shape, so what "a well-formed Login" means is decided once.

/** The features every harness login announces (the snapshot's model of the control session mirrors them). */
export const LOGIN_FEATURES: readonly string[] = ['chat'];

/**
 * A complete, well-formed Login body. Strings are matched in English, so `locale` is `"en"`
 * (spec README §Error-string profiles); `features` is required on the wire (WIRE-BAD-12).
 * `extra` overrides or adds members (a shared session's nickname, an avatar, other features).
 */
export function loginBody(username: string, password: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { username, password, features: [...LOGIN_FEATURES], locale: 'en', ...extra };
}
