/** A broken rule in an environment's settings: where, what, and which rule. */
export interface SettingsProblem {
  environment: string;
  /** Dotted path in the settings, e.g. `backend.autoscaling.maxReplicas`. */
  path: string;
  value: unknown;
  rule: string;
}

export function formatProblem(problem: SettingsProblem): string {
  const value = problem.value === undefined ? "(missing)" : JSON.stringify(problem.value);
  return `${problem.environment}: ${problem.path} = ${value}: ${problem.rule}`;
}

/** Every problem found, reported together. */
export class SettingsError extends Error {
  readonly problems: SettingsProblem[];
  constructor(problems: SettingsProblem[]) {
    super(`invalid settings (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
    this.name = "SettingsError";
    this.problems = problems;
  }
}

/** Rendered objects that fail their schema or hold unknown fields. */
export class InvalidObjectsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid rendered objects (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InvalidObjectsError";
    this.problems = problems;
  }
}
