/** A broken rule in an environment's settings: where, what, and which rule. */
export interface SettingsProblem {
  environment: string;
  /** The file the value is in, repository-relative (e.g. `environments/prod.ts`), when it is in one. */
  file?: string | undefined;
  /** Path in that file's settings, e.g. `backend.autoscaling.maxReplicas`. */
  path: string;
  value: unknown;
  rule: string;
  /** The value may be a credential: it is never printed. */
  secret?: boolean | undefined;
}

/** A file that could not be loaded at all (syntax, a bad import, an error while it runs): where, at a position when one is known (from 1). */
export interface LoadProblem {
  /** Repository-relative, e.g. `environments/staging.ts`. */
  file: string;
  line?: number | undefined;
  column?: number | undefined;
  message: string;
}

/** `environments/staging.ts:4:31: <message>`, as compilers print it. */
export function formatLoadProblem({ file, line, column, message }: LoadProblem): string {
  return `${file}${line === undefined ? "" : `:${line}:${column ?? 1}`}: ${message}`;
}

/** `prod: environments/prod.ts: backend.replicas = 12: must be an integer from 1 to 10`. */
export function formatProblem(problem: SettingsProblem): string {
  const value = problem.secret
    ? "(not shown: it may be a credential)"
    : problem.value === undefined
      ? "(missing)"
      : // JSON has no NaN or Infinity: it would print null, which is not what was written.
        typeof problem.value === "number" && !Number.isFinite(problem.value)
        ? String(problem.value)
        : JSON.stringify(problem.value);
  return `${problem.environment}: ${problem.file ? `${problem.file}: ` : ""}${problem.path} = ${value}: ${problem.rule}`;
}

/** Every problem found, reported together: files that do not load first, one line each, then broken settings. */
export class SettingsError extends Error {
  readonly problems: SettingsProblem[];
  readonly loadProblems: LoadProblem[];
  constructor(problems: SettingsProblem[], loadProblems: LoadProblem[] = []) {
    // By file and position, whatever order the files were loaded in.
    loadProblems = [...loadProblems].sort((a, b) => (a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) : a.file < b.file ? -1 : 1));
    const lines = loadProblems.map(formatLoadProblem);
    if (problems.length) {
      lines.push(`invalid settings (${problems.length} problem${problems.length === 1 ? "" : "s"}):`, ...problems.map((p) => `  - ${formatProblem(p)}`));
    }
    super(lines.join("\n"));
    this.name = "SettingsError";
    this.problems = problems;
    this.loadProblems = loadProblems;
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
