/**
 * The building blocks the declarations share: the environment's settings
 * (schema.ts) and a cluster's facts (cluster-facts.ts). Each rule's message
 * says what a value must be, for problems.ts to show beside the value given.
 */
import * as z from "zod";
import { parseQuantity } from "../lib/quantity.ts";
import { DNS_1123_SUBDOMAIN, keyProblem, labelValueProblem } from "../validation/labels.ts";

export type Check<T> = (value: T) => string | undefined;

/** For checks that look at each entry of a map or list: they run even when another entry is already refused. */
export const always = () => true;

/** The entries of what should be a map or a list, or none when it is neither (its type is refused anyway). */
export function entriesOf(value: unknown): [string, unknown][] {
  return typeof value === "object" && value !== null ? Object.entries(value) : [];
}

/** A custom rule on a value: the message when it is broken. */
export function rule<T extends z.ZodType>(schema: T, check: Check<z.output<T>>): T {
  return schema.check((payload) => {
    const message = check(payload.value);
    if (message !== undefined) payload.issues.push({ code: "custom", message, input: payload.value });
  });
}

/** An integer in [min, max], with one message for every way to miss it. */
export function integer(min: number, max: number, why = "") {
  const error = `must be an integer from ${min} to ${max}${why}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const dnsLabel = z.string().regex(DNS_1123_LABEL, { error: "must be a DNS-1123 label (lowercase letters, digits, '-'; at most 63)" });
export const dnsSubdomain = (what: string) => z.string().regex(DNS_1123_SUBDOMAIN, { error: `must be ${what} (a DNS-1123 subdomain)` });

export const quantity = rule(z.string(), (value) => (parseQuantity(value) === undefined ? "must be a Kubernetes quantity (e.g. 500m, 2, 256Mi, 1Gi)" : undefined));

/** A semantic version, with or without a leading v. */
export const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Labels as a pod carries them: every key and value as the API server accepts them. */
export function labelMap(what: string) {
  return z
    .record(z.string(), z.string())
    .superRefine(
      (labels, ctx) => {
        for (const [key, value] of entriesOf(labels)) {
          const keyRule = keyProblem(key);
          if (keyRule) ctx.addIssue({ code: "custom", message: `${what} label key: ${keyRule}`, input: key, path: [key] });
          const valueRule = typeof value === "string" ? labelValueProblem(value) : undefined;
          if (valueRule) ctx.addIssue({ code: "custom", message: `${what} label value: ${valueRule}`, input: value, path: [key] });
        }
      },
      { when: always },
    );
}
