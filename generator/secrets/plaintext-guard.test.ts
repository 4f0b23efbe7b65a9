import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../load/environments.ts";
import { MIN_VALUE_LENGTH, findPlaintext, formatFinding } from "./plaintext-guard.ts";

const temporaryDirs: string[] = [];
after(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/** A Git repository holding `files`; `tracked` of them are added to the index, the rest stay untracked. */
function gitRepo(files: Record<string, string>, untracked: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), "plaintext-guard-"));
  temporaryDirs.push(root);
  execFileSync("git", ["init", "--quiet"], { cwd: root });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const toTrack = Object.keys(files).filter((path) => !untracked.includes(path));
  execFileSync("git", ["add", "--force", "--", ...toTrack], { cwd: root });
  return root;
}

const sealedSecret = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: todo-backend-secret
spec:
  encryptedData:
    OPENAI_API_KEY: AgBy3i4OJSWK+PiTySYZZA==
  template:
    type: Opaque
`;

describe("the never-plaintext guard", () => {
  it("catches a planted plaintext Secret, with stringData or data, alone or among other documents", () => {
    const root = gitRepo({
      "manifests/dev/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  A: b\n",
      "manifests/dev/secret.yaml": `${sealedSecret}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: todo-backend-secret\nstringData:\n  OPENAI_API_KEY: sk-live\n`,
      "notes/secret.yml": "kind: Secret\napiVersion: v1\nmetadata: { name: db }\ndata: { POSTGRES_PASSWORD: cHc= }\n",
      "dump.json": JSON.stringify({ kind: "List", items: [{ kind: "Secret", metadata: { name: "listed" }, data: { K: "dg==" } }] }),
      "README.md": "# Doc\n\n```yaml\nkind: Secret\nmetadata:\n  name: in-docs\nstringData:\n  K: v\n```\n",
    });
    const findings = findPlaintext(root).map(formatFinding).sort();
    assert.deepEqual(findings, [
      "README.md:4: Secret in-docs with stringData: a plaintext Secret; commit a SealedSecret instead (npm run seal)",
      "dump.json:1: Secret listed with data: a plaintext Secret; commit a SealedSecret instead (npm run seal)",
      "manifests/dev/secret.yaml:11: Secret todo-backend-secret with stringData: a plaintext Secret; commit a SealedSecret instead (npm run seal)",
      "notes/secret.yml:1: Secret db with data: a plaintext Secret; commit a SealedSecret instead (npm run seal)",
    ]);
  });

  it("lets SealedSecrets, Secret references and untracked files through", () => {
    const root = gitRepo(
      {
        "manifests/dev/sealedsecret.yaml": sealedSecret,
        "manifests/dev/deployment.yaml": "kind: Deployment\nspec:\n  env:\n    - valueFrom: { secretKeyRef: { name: todo-backend-secret, key: K } }\n",
        "scratch/secret.yaml": "kind: Secret\nstringData:\n  K: v\n",
      },
      ["scratch/secret.yaml"],
    );
    assert.deepEqual(findPlaintext(root), []);
  });

  it("catches a value from a local .secrets/*.env file in any tracked file, without printing it", () => {
    const leaked = "sk-planted-0123456789";
    const root = gitRepo(
      {
        ".secrets/dev.env": `# local\ntodo-backend-secret.OPENAI_API_KEY="${leaked}"\ntodo-database-secret.POSTGRES_DB=todo\ntodo-backend-secret.DATABASE_URL=\n`,
        ".secrets/dev.env.example": "todo-backend-secret.OPENAI_API_KEY=\n",
        "generator/config.ts": `export const config = {\n  key: "${leaked}",\n  db: "todo",\n};\n`,
      },
      [".secrets/dev.env"],
    );
    const findings = findPlaintext(root).map(formatFinding);
    assert.deepEqual(findings, ["generator/config.ts:2: holds the value of .secrets/dev.env: todo-backend-secret.OPENAI_API_KEY"]);
  });

  it("looks for values from MIN_VALUE_LENGTH characters up: shorter ones (`todo`) occur by chance", () => {
    const atLimit = "k".repeat(MIN_VALUE_LENGTH);
    const belowLimit = "q".repeat(MIN_VALUE_LENGTH - 1);
    const root = gitRepo(
      {
        ".secrets/dev.env": `todo-backend-secret.OPENAI_API_KEY=${atLimit}\ntodo-backend-secret.BETTER_AUTH_SECRET=${belowLimit}\n`,
        "notes.txt": `first ${atLimit}\nsecond ${belowLimit}\n`,
      },
      [".secrets/dev.env"],
    );
    assert.deepEqual(findPlaintext(root).map(formatFinding), ["notes.txt:1: holds the value of .secrets/dev.env: todo-backend-secret.OPENAI_API_KEY"]);
  });

  it("flags a .secrets/ file forced into Git", () => {
    const root = gitRepo({ ".secrets/prod.env": "todo-backend-secret.OPENAI_API_KEY=\n", ".secrets/prod.env.example": "" });
    assert.deepEqual(findPlaintext(root).map(formatFinding), [
      ".secrets/prod.env: only *.env.example templates may be tracked under .secrets/ (git rm --cached it)",
    ]);
  });

  it("finds no plaintext in this repository (nor any value of your local .secrets/*.env files)", () => {
    const findings = findPlaintext(REPO_ROOT);
    assert.deepEqual(findings.map(formatFinding), []);
  });
});
