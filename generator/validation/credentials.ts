/**
 * What looks like a credential, which belongs in a Secret and never in a
 * ConfigMap (or in an error message): by a key's name and by a value's
 * shape. The settings refuse such ConfigMap entries, every rendered
 * ConfigMap is checked again, and no problem ever prints such a value.
 *
 * The value rules follow gitleaks' default rules
 * (github.com/gitleaks/gitleaks, config/gitleaks.toml: openai-api-key,
 * anthropic-api-key, github-pat, gitlab-pat, slack-*-token,
 * aws-access-token, gcp-api-key, stripe-access-token, npm-access-token,
 * huggingface-access-token, sendgrid-api-token, jwt, private-key), loosened
 * to the prefix: in a ConfigMap, anything that starts like a token is one.
 */

/**
 * The words of a key, upper case, in any case and separator:
 * `db-pass`, `dbPass`, `DB.PASS` → DB PASS; `OpenAIApiKey` → OPEN AI API KEY.
 */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toUpperCase());
}

/** A word that names a credential on its own. */
const SECRET_WORDS = new Set(["PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS", "CREDENTIAL", "CREDENTIALS", "CREDS", "APIKEY", "DSN"]);
/** Inside a longer word, with the separators gone: `OPENAIAPIKEY`, `dbpassword`. */
const SECRET_INSIDE = /PASSWORD|PASSWD|SECRET|TOKEN|APIKEY|PRIVATEKEY|CREDENTIAL/;
/** Two words that name a credential together. */
const SECRET_PAIRS = ["DATABASE URL", "DB URL", "CONNECTION STRING"];

/** Why a ConfigMap key looks like it names a credential, or undefined. */
export function secretKeyProblem(key: string): string | undefined {
  const parts = words(key);
  const joined = parts.join(" ");
  const hit =
    parts.find((word) => SECRET_WORDS.has(word)) ??
    SECRET_PAIRS.find((pair) => ` ${joined} `.includes(` ${pair} `)) ??
    // `*_KEY` (API_KEY, ACCESS_KEY, SIGNING_KEY…), but not a PUBLIC_KEY.
    (parts.at(-1) === "KEY" && parts.at(-2) !== "PUBLIC" ? parts.slice(-2).join("_") : undefined) ??
    SECRET_INSIDE.exec(parts.join(""))?.[0];
  if (hit === undefined) return undefined;
  return `names a credential (${hit}; PASSWORD, PASS, PWD, SECRET, TOKEN, *_KEY… in any case and separator): put it in a Secret, never in a ConfigMap`;
}

/** `scheme://user:password@`: a URL that carries its own credentials (the user may be empty, as in `redis://:pw@host`). */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s/?#@]+@/i;

/** A PEM private key; certificates, which are public (CA bundles live in ConfigMaps), are fine. */
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 _-]*PRIVATE KEY(?: BLOCK)?-----/;

/** Tokens known by how they start; a token starts the value or follows a character that is not part of one. */
const TOKENS: readonly [string, RegExp][] = [
  ["an OpenAI or Anthropic API key (sk-…)", /sk-[A-Za-z0-9_-]{16,}/],
  ["a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_…)", /(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})/],
  ["a GitLab token (glpat-…)", /glpat-[\w-]{20,}/],
  ["a Slack token (xoxb-, xoxp-…)", /xox[abprse]-[A-Za-z0-9-]{10,}/],
  ["an AWS access key ID (AKIA…)", /(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/],
  ["a Google API key (AIza…)", /AIza[\w-]{35}/],
  ["a Stripe key (sk_live_…)", /(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,}/],
  ["an npm token (npm_…)", /npm_[A-Za-z0-9]{36}/],
  ["a Hugging Face token (hf_…)", /hf_[A-Za-z]{34}/],
  ["a SendGrid key (SG.…)", /SG\.[\w-]{16,}\.[\w-]{16,}/],
  ["a JSON Web Token (eyJ….eyJ…)", /ey[A-Za-z0-9_-]{17,}\.ey[A-Za-z0-9_-]{17,}\./],
];
const TOKEN_START = /(?:^|[^A-Za-z0-9_])/;

/** Shannon entropy of a string, in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / text.length) * Math.log2(count / text.length);
  return bits;
}

/** How often neighbouring characters change class (lower, upper, digit, other): random text does so about two times in three, words rarely. */
function classChanges(text: string): number {
  const classOf = (character: string) => (/[a-z]/.test(character) ? 0 : /[A-Z]/.test(character) ? 1 : /[0-9]/.test(character) ? 2 : 3);
  let changes = 0;
  for (let i = 1; i < text.length; i++) if (classOf(text[i]!) !== classOf(text[i - 1]!)) changes++;
  return changes / (text.length - 1);
}

/**
 * A long run of random-looking characters: 32 or more base64 characters
 * mixing upper case, lower case and digits throughout (`openssl rand -base64
 * 24`), or 32 or more hex digits (`openssl rand -hex 16`) other than a git
 * SHA or a `sha256:` digest. Long words and identifiers have too little
 * entropy, or change character class too seldom, to count.
 */
function randomLookingRun(value: string): boolean {
  for (const match of value.matchAll(/[A-Za-z0-9+/=_-]{32,}/g)) {
    const run = match[0];
    if (/[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run) && entropy(run) >= 4 && classChanges(run) >= 0.45) return true;
  }
  for (const match of value.matchAll(/(?<![A-Za-z0-9])(?<!sha(?:1|256|384|512):)[0-9a-fA-F]{32,}(?![A-Za-z0-9])/g)) {
    const run = match[0];
    if (run.length !== 40 && entropy(run) >= 3) return true;
  }
  return false;
}

/** Why a value looks like a credential, or undefined. Never says what the value is. */
export function credentialValueProblem(value: string): string | undefined {
  const inSecret = "is a credential: put it in a Secret, never in a ConfigMap";
  if (URL_WITH_PASSWORD.test(value)) return `a URL with a password (scheme://user:password@host) ${inSecret}`;
  if (PRIVATE_KEY.test(value)) return `a PEM private key ${inSecret}`;
  for (const [what, pattern] of TOKENS) {
    if (new RegExp(TOKEN_START.source + pattern.source).test(value)) return `looks like ${what}, which ${inSecret}`;
  }
  if (randomLookingRun(value)) return `holds a long random-looking string (a key or a token?), which ${inSecret}`;
  return undefined;
}

/** Every ConfigMap entry whose key or value looks like a credential, as `data.<key>: <rule>` lines; the value is never in them. */
export function configMapCredentialProblems(object: { kind: string; data?: Record<string, string> | undefined }): string[] {
  if (object.kind !== "ConfigMap") return [];
  return Object.entries(object.data ?? {}).flatMap(([key, value]) =>
    [secretKeyProblem(key), typeof value === "string" ? credentialValueProblem(value) : undefined].filter((rule) => rule !== undefined).map((rule) => `data.${key}: ${rule}`),
  );
}
