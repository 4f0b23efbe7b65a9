/**
 * What looks like a credential, which belongs in a Secret and never in a
 * ConfigMap (or in an error message): by a key's name and by a value's shape.
 */

/** Keys that look like they hold a credential, which belongs in a Secret; matched against normalisedKey(). */
const SECRET_LOOKING_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|DATABASE_URL|DSN/;

/** `scheme://user:password@`: a URL that carries its own credentials (the user may be empty, as in `redis://:pw@host`). */
const URL_WITH_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/i;

/** `openai-api-key`, `database.url` and `DATABASE_URL` are one name to the secret-looking check. */
function normalisedKey(key: string): string {
  return key.toUpperCase().replace(/[-.]/g, "_");
}

/** Why a ConfigMap key looks like it names a credential, or undefined. */
export function secretKeyProblem(key: string): string | undefined {
  if (!SECRET_LOOKING_KEY.test(normalisedKey(key))) return undefined;
  return "looks like a secret (PASSWORD, SECRET, TOKEN, API_KEY…, in any case, with - or . for _): put it in a Secret, never in a ConfigMap";
}

/** Why a value looks like a credential, or undefined. Never says what the value is. */
export function credentialValueProblem(value: string): string | undefined {
  if (URL_WITH_PASSWORD.test(value)) {
    return "a URL with a password (scheme://user:password@host) is a credential: put it in a Secret, never in a ConfigMap";
  }
  return undefined;
}
