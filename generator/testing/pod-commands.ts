/**
 * The commands the rendered manifests run, read from manifests/<env>/*.yaml
 * (never from the generator's source), made runnable on this machine: the
 * container's environment as the kubelet builds it (Secret values are
 * throwaway ones the test chooses, `$(VAR)` references expanded), Service
 * host names replaced by 127.0.0.1 and Service ports by the test's ports,
 * and each volume mount by a scratch directory holding what the volume
 * would hold.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT, listEnvironments } from "../load/environments.ts";
import { FIXTURE_ENVIRONMENTS } from "./fixture-environments.ts";
import { renderedFixture } from "./fixtures.ts";

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: { template?: { spec?: IPodSpec } };
}

/** Every object of an environment, parsed from a render's files (manifests/<env>/*.yaml, the text render writes). */
export function objectsFromFiles(environment: string, files: ReadonlyMap<string, string>): RenderedObject[] {
  const prefix = `manifests/${environment}/`;
  return [...files.keys()]
    .filter((path) => path.startsWith(prefix) && path.endsWith(".yaml") && !path.slice(prefix.length).includes("/"))
    .sort()
    .flatMap((path) => parseAllDocuments(files.get(path)!).map((doc) => doc.toJS() as RenderedObject))
    .filter((object) => object !== null);
}

/** The fixture's environments (dev, staging and prod as shipped), each with its objects as render writes them. */
export async function fixtureRenderedEnvironments(): Promise<{ environment: string; objects: RenderedObject[] }[]> {
  const { files } = await renderedFixture();
  return FIXTURE_ENVIRONMENTS.map((environment) => ({ environment, objects: objectsFromFiles(environment, files) }));
}

/** Every object of an environment, as committed under manifests/<env>/. */
export function renderedObjects(environment: string, root = REPO_ROOT): RenderedObject[] {
  const dir = join(root, "manifests", environment);
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc) => doc.toJS() as RenderedObject))
    .filter((object) => object !== null);
}

export function renderedEnvironments(root = REPO_ROOT): { environment: string; objects: RenderedObject[] }[] {
  return listEnvironments(root).map((environment) => ({ environment, objects: renderedObjects(environment, root) }));
}

export interface RenderedContainer {
  environment: string;
  /** `Kind/name container` for messages. */
  where: string;
  owner: RenderedObject;
  pod: IPodSpec;
  container: IContainer;
  init: boolean;
}

/** Every container (init containers included) of every pod template among the objects. */
export function renderedContainers(environment: string, objects: RenderedObject[]): RenderedContainer[] {
  return objects.flatMap((owner) => {
    const pod = owner.spec?.template?.spec;
    if (!pod) return [];
    const list = (containers: IContainer[] | undefined, init: boolean) =>
      (containers ?? []).map((container) => ({ environment, where: `${owner.kind}/${owner.metadata.name} ${container.name}`, owner, pod, container, init }));
    return [...list(pod.initContainers, true), ...list(pod.containers, false)];
  });
}

export function findContainer(containers: RenderedContainer[], ownerKind: string, ownerName: string, name: string): RenderedContainer | undefined {
  return containers.find((c) => c.owner.kind === ownerKind && c.owner.metadata.name === ownerName && c.container.name === name);
}

/** Secret name → key → throwaway value. */
export type SecretValues = Record<string, Record<string, string>>;

/**
 * Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion):
 * `$(NAME)` becomes the variable's value when it is defined and stays as
 * written otherwise; `$$` is a literal `$`.
 */
export function expandKubernetesReferences(text: string, variables: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "$" || i + 1 >= text.length) {
      out += text[i];
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const close = text.indexOf(")", i + 2);
      if (close === -1) {
        out += text.slice(i);
        break;
      }
      const name = text.slice(i + 2, close);
      out += name in variables ? variables[name] : text.slice(i, close + 1);
      i = close;
    } else {
      out += "$";
    }
  }
  return out;
}

/** The environment the kubelet gives the container: envFrom ConfigMaps, then env in order, each value expanded against those before it. */
export function containerEnvironment(rendered: RenderedContainer, objects: RenderedObject[], secrets: SecretValues): Record<string, string> {
  const env: Record<string, string> = {};
  const configMap = (name: string) => {
    const found = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
    if (!found) throw new Error(`${rendered.where}: ConfigMap ${name} is not rendered`);
    return found.data ?? {};
  };
  const secret = (name: string, key: string) => {
    const value = secrets[name]?.[key];
    if (value === undefined) throw new Error(`${rendered.where}: the test has no throwaway value for Secret ${name} key ${key}`);
    return value;
  };
  for (const source of rendered.container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name!));
    if (source.secretRef) Object.assign(env, secrets[source.secretRef.name!] ?? {});
  }
  for (const variable of rendered.container.env ?? []) {
    const from = variable.valueFrom;
    if (from?.secretKeyRef) env[variable.name] = secret(from.secretKeyRef.name!, from.secretKeyRef.key);
    else if (from?.configMapKeyRef) env[variable.name] = configMap(from.configMapKeyRef.name!)[from.configMapKeyRef.key] ?? "";
    else if (from) throw new Error(`${rendered.where}: env ${variable.name}: valueFrom ${Object.keys(from).join(", ")} is not modelled`);
    else env[variable.name] = expandKubernetesReferences(variable.value ?? "", env);
  }
  return env;
}

/** Where a Service is reached in the cluster, and where the test serves it. */
export interface Endpoint {
  host: string;
  port: number;
  localPort: number;
}

export interface LocalProcess {
  argv: string[];
  env: Record<string, string>;
  /** Scratch directory standing for each volume mount, by mount path. */
  mounts: Record<string, string>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Service host names → 127.0.0.1; a Service port → the test's port where it
 * stands as a port (a whole value such as PGPORT's, `127.0.0.1:<port>`,
 * `-p <port>`, `--port <port>`), never inside other text such as a password;
 * mount paths → scratch directories.
 */
export function localise(text: string, endpoints: readonly Endpoint[], mounts: Record<string, string>): string {
  let out = text;
  for (const { host } of endpoints) out = out.split(host).join("127.0.0.1");
  for (const { port, localPort } of endpoints) {
    if (out === String(port)) out = String(localPort);
    out = out.replace(new RegExp(`(127\\.0\\.0\\.1:|-p\\s+|--port[=\\s]+)${port}(?!\\d)`, "g"), `$1${localPort}`);
  }
  // One pass, longer mount paths first, each only where a path starts: a
  // replacement is never rewritten again, and /data never matches inside /x/data.
  const paths = Object.keys(mounts).sort((a, b) => b.length - a.length);
  if (paths.length === 0) return out;
  const pattern = new RegExp(`(?<![\\w./-])(${paths.map(escapeRegExp).join("|")})(?![\\w.-])`, "g");
  return out.replace(pattern, (path) => mounts[path]!);
}

/**
 * Scratch directories for the container's volume mounts: an emptyDir is an
 * empty directory the pod's user can write (so is a new PersistentVolumeClaim); a Secret volume holds one file
 * per projected key, owned by root and the pod's fsGroup with the volume's
 * mode (as the kubelet sets it for an fsGroup). Other volume kinds are not
 * modelled (a test fails naming them).
 */
export function mountScratch(rendered: RenderedContainer, secrets: SecretValues, user: { uid: number; gid: number }): Record<string, string> {
  const mounts: Record<string, string> = {};
  const mountsOf = rendered.container.volumeMounts ?? [];
  if (mountsOf.length === 0) return mounts;
  const root = mkdtempSync(join(tmpdir(), "todo-volumes-"));
  chmodSync(root, 0o755);
  const fsGroup = rendered.pod.securityContext?.fsGroup ?? user.gid;
  for (const mount of mountsOf) {
    const volume = (rendered.pod.volumes ?? []).find((v) => v.name === mount.name);
    if (!volume) throw new Error(`${rendered.where}: volume ${mount.name} is not declared`);
    const dir = join(root, mount.name);
    mkdirSync(dir);
    if (volume.emptyDir || volume.persistentVolumeClaim) {
      // A fresh claim is an empty volume the fsGroup can write, like an emptyDir.
      chownSync(dir, 0, fsGroup);
      chmodSync(dir, 0o777);
    } else if (volume.secret) {
      const name = volume.secret.secretName!;
      // The kubelet adds group read for the fsGroup to the volume's mode (pkg/volume/volume_linux.go).
      const mode = (volume.secret.defaultMode ?? 0o644) | (rendered.pod.securityContext?.fsGroup !== undefined ? 0o440 : 0);
      const items: { key: string; path: string; mode?: number }[] = volume.secret.items ?? Object.keys(secrets[name] ?? {}).map((key) => ({ key, path: key }));
      for (const item of items) {
        const value = secrets[name]?.[item.key];
        if (value === undefined) throw new Error(`${rendered.where}: the test has no throwaway value for Secret ${name} key ${item.key}`);
        const file = join(dir, item.path);
        writeFileSync(file, value);
        chownSync(file, 0, fsGroup);
        chmodSync(file, item.mode ?? mode);
      }
      chmodSync(dir, 0o755);
    } else {
      throw new Error(`${rendered.where}: volume ${mount.name} is of a kind the test does not model`);
    }
    mounts[mount.mountPath] = dir;
  }
  return mounts;
}

/** Removes the scratch directories mountScratch made (each mount's and the one holding them). */
export function removeScratch(mounts: Record<string, string>): void {
  for (const dir of new Set(Object.values(mounts).map((mount) => dirname(mount)))) rmSync(dir, { recursive: true, force: true });
}

/**
 * The container's command (or an exec probe's, or a lifecycle hook's) as a
 * local process. `commandOverride` is the exec action's argv; otherwise the
 * container's command and args, expanded like the kubelet does.
 */
export function localProcess(
  rendered: RenderedContainer,
  objects: RenderedObject[],
  options: { secrets: SecretValues; endpoints: readonly Endpoint[]; mounts: Record<string, string>; path: string; commandOverride?: readonly string[] },
): LocalProcess {
  const env = containerEnvironment(rendered, objects, options.secrets);
  const argv = options.commandOverride
    ? [...options.commandOverride]
    : [...(rendered.container.command ?? []), ...(rendered.container.args ?? [])].map((part) => expandKubernetesReferences(part, env));
  if (argv.length === 0) throw new Error(`${rendered.where}: no command (the image's entrypoint is not modelled)`);
  const localEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) localEnv[name] = localise(value, options.endpoints, options.mounts);
  // The runtime sets PATH and, for a user without a passwd entry, HOME=/.
  localEnv.PATH = options.path;
  localEnv.HOME ??= "/";
  return { argv: argv.map((part) => localise(part, options.endpoints, options.mounts)), env: localEnv, mounts: options.mounts };
}

/** Host of the external database in the throwaway DATABASE_URL (prod's kind of environment); the tests map it to their server. */
export const EXTERNAL_DATABASE_HOST = "external-db.example.test";

/**
 * Throwaway values for every Secret key the workloads may read. Hex, like
 * the README's `openssl rand -hex`, so they are URL-safe inside DATABASE_URL.
 */
export function throwawaySecrets(): SecretValues {
  const hex = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
  const user = "todo_app";
  const password = hex(24);
  const database = "todo_db";
  return {
    "todo-database-secret": { POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: database },
    "todo-backend-secret": {
      DATABASE_URL: `postgresql://${user}:${password}@${EXTERNAL_DATABASE_HOST}:5432/${database}`,
      OPENAI_API_KEY: `sk-throwaway-${hex(8)}`,
    },
    "todo-auth-secret": { BETTER_AUTH_SECRET: hex(32) },
    "todo-redis-secret": { REDIS_PASSWORD: hex(24) },
  };
}

/** `<name>.<namespace>.svc.cluster.local` and the ports of every rendered Service. */
export function serviceAddresses(objects: RenderedObject[]): { name: string; host: string; ports: number[] }[] {
  return objects
    .filter((o) => o.kind === "Service")
    .map((service) => ({
      name: service.metadata.name,
      host: `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`,
      ports: ((service.spec as { ports?: { port: number }[] } | undefined)?.ports ?? []).map((p) => p.port),
    }));
}

/** The exec actions of a container (probes and lifecycle hooks), with their timeouts. */
export function execActions(container: IContainer): { what: string; command: string[]; timeoutSeconds: number }[] {
  const actions: { what: string; command: string[]; timeoutSeconds: number }[] = [];
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"] as const) {
    const command = container[probe]?.exec?.command;
    if (command) actions.push({ what: probe, command, timeoutSeconds: container[probe]!.timeoutSeconds ?? 1 });
  }
  for (const hook of ["postStart", "preStop"] as const) {
    const command = container.lifecycle?.[hook]?.exec?.command;
    if (command) actions.push({ what: hook, command, timeoutSeconds: 30 });
  }
  return actions;
}
