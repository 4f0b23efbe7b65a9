/**
 * What the running Minikube profile means for reaching it and for the
 * NetworkPolicies, read from `minikube profile list -o json`:
 *
 *   node clusters/minikube/profile.ts hints <profile> <hosts…>
 *   node clusters/minikube/profile.ts driver <profile>
 *
 * `hints` prints the /etc/hosts line that works here (stdout) and, when the
 * runtime is unsupported, a warning (stderr, prefixed `cluster:up:`);
 * cluster:up runs it at the end. `driver` prints the driver the profile
 * starts with and why (startDriver), for cluster:up to check it first.
 * Nothing here changes the cluster.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { runScript, thisCluster } from "./facts.ts";

export interface ProfileFacts {
  driver?: string;
  runtime?: string;
}

/** The driver and container runtime of one profile in `minikube profile list -o json`. */
export function profileFacts(listing: string, profile: string): ProfileFacts {
  try {
    const parsed = JSON.parse(listing) as { valid?: { Name?: string; Config?: { Driver?: string; KubernetesConfig?: { ContainerRuntime?: string } } }[] };
    const config = parsed.valid?.find((p) => p.Name === profile)?.Config;
    return { driver: config?.Driver, runtime: config?.KubernetesConfig?.ContainerRuntime };
  } catch {
    return {};
  }
}

/** The driver a `minikube start` of the profile will use, and where that choice comes from. */
export interface StartDriver {
  driver: string;
  from: string;
}

/**
 * The driver `minikube start -p <profile>` will use, as minikube picks it
 * (kubernetes/minikube cmd/minikube/cmd/start.go, selectDriver): an existing
 * profile keeps the driver it was created with ("Using the … driver based on
 * existing profile"); a new one takes the `driver` setting, which viper reads
 * from --driver (cluster:up passes none), the MINIKUBE_DRIVER variable
 * (root.go, setupViper: prefix MINIKUBE, AutomaticEnv) or `minikube config
 * set driver` ("… based on user configuration"). Otherwise minikube detects a
 * healthy one itself and says which (undefined here: nothing to check first).
 */
export function startDriver(options: { listing: string; profile: string; environment?: string | undefined; configured?: string | undefined }): StartDriver | undefined {
  const existing = profileFacts(options.listing, options.profile).driver;
  if (existing) return { driver: existing, from: `Minikube profile ${options.profile} was created with it` };
  if (options.environment) return { driver: options.environment, from: "MINIKUBE_DRIVER names it" };
  if (options.configured) return { driver: options.configured, from: "`minikube config get driver` names it" };
  return undefined;
}

export interface HostFacts {
  platform: NodeJS.Platform;
  /** Linux under WSL 2. */
  wsl: boolean;
  /** The Docker daemon is Docker Desktop (also on Linux). */
  dockerDesktop: boolean;
  /** The Docker daemon runs rootless. */
  rootless: boolean;
}

/**
 * Whether the node's address is unreachable from this machine, so that the
 * ingress is reached through `minikube tunnel` at 127.0.0.1. Minikube's own
 * rule (kubernetes/minikube pkg/minikube/driver/driver.go, NeedsPortForward):
 * a container driver (docker, podman) on macOS, Windows or WSL, with Docker
 * Desktop, or rootless; its ingress addon prints "please run minikube tunnel
 * and your ingress resources would be available at 127.0.0.1" for the same
 * drivers on macOS and Windows (pkg/addons/addons.go).
 */
export function needsTunnel(driver: string | undefined, host: HostFacts): boolean {
  if (driver !== "docker" && driver !== "podman") return false;
  return host.platform === "darwin" || host.platform === "win32" || host.wsl || host.dockerDesktop || host.rootless;
}

/** The /etc/hosts advice for this driver and host. */
export function hostsHint(options: { profile: string; driver: string | undefined; host: HostFacts; nodeIp: string | undefined; hosts: string[] }): string {
  const { profile, driver, host, nodeIp, hosts } = options;
  const names = hosts.join(" ");
  if (needsTunnel(driver, host)) {
    return [
      `Reach the environments by name: with the ${driver} driver here the node's address is not reachable from this`,
      `machine, so keep a tunnel open in another terminal (it asks for your password to bind ports 80 and 443):`,
      `  minikube -p ${profile} tunnel`,
      `and add this line to /etc/hosts (on Windows: C:\\Windows\\System32\\drivers\\etc\\hosts):`,
      `  127.0.0.1 ${names}`,
    ].join("\n");
  }
  if (!nodeIp) {
    return [`Reach the environments by name: add '<node address> ${names}' to /etc/hosts,`, `where \`minikube -p ${profile} ip\` prints the node address.`].join("\n");
  }
  return [`Reach the environments by name: add this line to /etc/hosts:`, `  ${nodeIp} ${names}`].join("\n");
}

/**
 * Container runtimes whose ingress addon runs as an ordinary pod. With cri-o,
 * Minikube's ingress addon runs the controller on the host network
 * (kubernetes/minikube deploy/addons/ingress/ingress-deploy.yaml.tmpl:
 * `hostNetwork: true` when ContainerRuntime is crio), so its traffic comes
 * from the node's address and the NetworkPolicies that admit the controller
 * by namespace and pod labels no longer match it: every Ingress request is
 * dropped.
 */
export const SUPPORTED_RUNTIMES = ["docker", "containerd"] as const;

/** `wanted`: the runtime the cluster's facts ask for when the profile is created (containerRuntime). */
export function runtimeWarning(profile: string, runtime: string | undefined, wanted: string): string | undefined {
  if (runtime === undefined || (SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) return undefined;
  return [
    `warning: Minikube profile ${profile} runs the ${runtime} container runtime; supported are ${SUPPORTED_RUNTIMES.join(" and ")}`,
    `  (clusters/minikube/cluster.ts asks for ${wanted} when it creates the profile). With ${runtime} the ingress`,
    `  addon's controller runs on the host network, so the NetworkPolicies that admit it by its pod labels`,
    `  do not match it and every Ingress request is dropped. A profile keeps its runtime; recreate it`,
    `  (its disk, databases, Argo CD history and Sealed Secrets key are lost):`,
    `    npm run cluster:down -- --delete`,
    `    npm run cluster:up`,
  ].join("\n");
}

function quiet(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 });
  } catch {
    return undefined;
  }
}

function hostFacts(driver: string | undefined): HostFacts {
  const wsl = process.platform === "linux" && existsSync("/proc/version") && /microsoft/i.test(readFileSync("/proc/version", "utf8"));
  let dockerDesktop = false;
  let rootless = false;
  if (driver === "docker" && process.platform === "linux" && !wsl) {
    const info = quiet("docker", ["info", "--format", "{{.OperatingSystem}}|{{json .SecurityOptions}}"]) ?? "";
    dockerDesktop = info.startsWith("Docker Desktop");
    rootless = info.includes("rootless");
  }
  return { platform: process.platform, wsl, dockerDesktop, rootless };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runScript(async () => {
    const [command, profile, ...hosts] = process.argv.slice(2);
    if (!(command === "hints" || command === "driver") || !profile) {
      process.stderr.write("Usage: node clusters/minikube/profile.ts hints <profile> <hosts…>\n       node clusters/minikube/profile.ts driver <profile>\n");
      return 2;
    }
    if (command === "driver") {
      // `<driver>\t<why>`, or nothing when minikube will pick one itself. --light: the profiles' settings, without asking each cluster its state.
      const chosen = startDriver({
        listing: quiet("minikube", ["profile", "list", "-o", "json", "--light"]) ?? "",
        profile,
        environment: process.env.MINIKUBE_DRIVER,
        configured: quiet("minikube", ["config", "get", "driver"])?.trim(),
      });
      if (chosen) process.stdout.write(`${chosen.driver}\t${chosen.from}\n`);
      return 0;
    }
    const { containerRuntime } = await thisCluster();
    const facts = profileFacts(quiet("minikube", ["profile", "list", "-o", "json"]) ?? "", profile);
    const warning = runtimeWarning(profile, facts.runtime, containerRuntime);
    if (warning) process.stderr.write(`cluster:up: ${warning}\n\n`);
    const host = hostFacts(facts.driver);
    const nodeIp = needsTunnel(facts.driver, host) ? undefined : quiet("minikube", ["-p", profile, "ip"])?.trim();
    process.stdout.write(`${hostsHint({ profile, driver: facts.driver, host, nodeIp: nodeIp || undefined, hosts })}\n`);
    return 0;
  });
}
