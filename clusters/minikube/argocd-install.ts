/**
 * Stages argocd/install for `kubectl apply -k` with Argo CD's release
 * manifest checked first:
 *
 *   dir="$(node clusters/minikube/argocd-install.ts)" && kubectl apply --server-side --force-conflicts -k "$dir"
 *
 * argocd/install/kustomization.yaml names the release's install.yaml by the
 * commit its tag points to (a tag can move, a commit cannot), and
 * argocd/install/install.yaml.sha256 holds that file's SHA-256. This
 * downloads it (or reads TODO_ARGOCD_INSTALL_MANIFEST, a copy fetched
 * another way), refuses it unless the checksum matches, and writes a copy
 * of argocd/install whose kustomization reads the checked file instead of
 * the URL, into ${XDG_CACHE_HOME:-~/.cache}/todo-gitops/argocd-install/<sha256>/.
 * It prints that directory. What is applied is exactly what was checked.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../../generator/load/environments.ts";

export const INSTALL_DIR = join("argocd", "install");
export const CHECKSUM_FILE = "install.yaml.sha256";
/** The release manifest, by commit: https://raw.githubusercontent.com/argoproj/argo-cd/<40-hex commit>/manifests/install.yaml */
export const PINNED_MANIFEST = /^https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/([0-9a-f]{40})\/manifests\/install\.yaml$/;

export interface InstallPin {
  url: string;
  commit: string;
  sha256: string;
}

/** The pinned URL (from the kustomization's resources) and checksum; throws naming the file and the rule. */
export function readPin(installDir: string): InstallPin {
  const kustomization = readFileSync(join(installDir, "kustomization.yaml"), "utf8");
  const urls = [...kustomization.matchAll(/^\s*-\s*(https?:\/\/\S+)\s*$/gm)].map((m) => m[1]!);
  if (urls.length !== 1) throw new Error(`${INSTALL_DIR}/kustomization.yaml: expected one remote resource, found ${urls.length}`);
  const match = PINNED_MANIFEST.exec(urls[0]!);
  if (!match) throw new Error(`${INSTALL_DIR}/kustomization.yaml: ${urls[0]} is not Argo CD's install.yaml at a commit (raw.githubusercontent.com/argoproj/argo-cd/<40-hex>/manifests/install.yaml)`);
  const checksumPath = join(installDir, CHECKSUM_FILE);
  if (!existsSync(checksumPath)) throw new Error(`${INSTALL_DIR}/${CHECKSUM_FILE} is missing: the pinned manifest's SHA-256 (README, "Pins")`);
  const line = /^([0-9a-f]{64})\s+\*?install\.yaml\s*$/.exec(readFileSync(checksumPath, "utf8").trim());
  if (!line) throw new Error(`${INSTALL_DIR}/${CHECKSUM_FILE}: must be one \`<sha256>  install.yaml\` line, as sha256sum prints it`);
  return { url: urls[0]!, commit: match[1]!, sha256: line[1]! };
}

export function sha256(content: Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Refuses a manifest whose checksum is not the pinned one, naming both and where it came from. */
export function verify(content: Uint8Array, pin: InstallPin, source: string): void {
  const actual = sha256(content);
  if (actual !== pin.sha256) {
    throw new Error(
      `${source} is not the pinned Argo CD manifest: its SHA-256 is ${actual}, ${INSTALL_DIR}/${CHECKSUM_FILE} says ${pin.sha256}. Nothing was applied.`,
    );
  }
}

/** Writes the checked manifest and a copy of argocd/install that reads it; returns the directory. */
export function stage(installDir: string, content: Uint8Array, pin: InstallPin, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  for (const file of readdirSync(installDir)) {
    if (file === "kustomization.yaml" || file.endsWith(".test.ts")) continue;
    copyFileSync(join(installDir, file), join(outDir, file));
  }
  writeFileSync(join(outDir, "install.yaml"), content);
  const kustomization = readFileSync(join(installDir, "kustomization.yaml"), "utf8");
  writeFileSync(join(outDir, "kustomization.yaml"), kustomization.replace(pin.url, "install.yaml"));
  return outDir;
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(base, "todo-gitops", "argocd-install");
}

async function download(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    throw new Error(`could not download ${url}: ${(error as Error).message}. Behind a proxy or offline: download it yourself and set TODO_ARGOCD_INSTALL_MANIFEST to the file.`);
  }
  if (!response.ok) throw new Error(`could not download ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Reads, checks and stages the manifest; returns the directory to apply. */
export async function prepare(options: { root?: string; env?: NodeJS.ProcessEnv; fetchManifest?: (url: string) => Promise<Uint8Array> } = {}): Promise<string> {
  const { root = REPO_ROOT, env = process.env, fetchManifest = download } = options;
  const installDir = join(root, INSTALL_DIR);
  const pin = readPin(installDir);
  const outDir = join(cacheDir(env), pin.sha256);
  const cached = join(outDir, "install.yaml");
  const local = env.TODO_ARGOCD_INSTALL_MANIFEST;
  let content: Uint8Array;
  let source: string;
  if (local) {
    if (!existsSync(local)) throw new Error(`TODO_ARGOCD_INSTALL_MANIFEST: ${local} does not exist`);
    content = readFileSync(local);
    source = local;
  } else if (existsSync(cached) && sha256(readFileSync(cached)) === pin.sha256) {
    content = readFileSync(cached);
    source = cached;
  } else {
    content = await fetchManifest(pin.url);
    source = pin.url;
  }
  verify(content, pin, source);
  return stage(installDir, content, pin, outDir);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.stdout.write(`${await prepare()}\n`);
  } catch (error) {
    process.stderr.write(`argocd-install: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
