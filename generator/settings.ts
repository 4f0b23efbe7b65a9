/**
 * The settings' types, inferred from their one declaration in
 * settings/schema.ts (shape, default, documentation and rules of each), and
 * defineEnvironment(), which gives an environment file its type.
 *
 * Environment files import this module, and it is compiled into each of
 * them (generator/load/module.ts): it imports types only, so that stays
 * small.
 */
import type { ClusterFacts } from "./cluster-facts.ts";
import type { EnvironmentFileInput, EnvironmentFileSettings, ImagesFile, ReleasedComponent } from "./settings/schema.ts";

export type { ClusterFacts, EnvironmentFileInput, ImagesFile, ReleasedComponent };
export type { PullPolicy } from "./cluster-facts.ts";

export type ImageRef = ImagesFile[ReleasedComponent];

/** environments/<env>.sealed.json (`npm run seal`): Secret name → key → sealed value. */
export type SealedValues = Record<string, Record<string, string>>;

type Declared = EnvironmentFileSettings;

/** A released component's settings: as declared, with its image from environments/<env>.images.json. */
export type AppSettings = Omit<Declared["frontend"], "image"> & { image: ImageRef };
export type BackendSettings = Omit<Declared["backend"], "image"> & { image: ImageRef };
export type Resources = AppSettings["resources"];
export type ProbeSettings = AppSettings["probes"]["liveness"];
/** Who signs an environment's certificate (schema.ts TLS_ISSUERS). */
export type TlsIssuer = Declared["ingress"]["tls"]["issuer"];

/** One environment's complete, checked settings: what the components render from. */
export interface Settings extends Omit<Declared, "name" | "cluster" | "sealedSecrets" | "frontend" | "backend"> {
  /** The environment's name, taken from its file name. */
  name: string;
  /** Facts about the cluster it runs on, passed in (the generator's core never reads clusters/). */
  cluster: ClusterFacts;
  frontend: AppSettings;
  backend: BackendSettings;
  /** Sealed Secret values, rendered as SealedSecrets; a Secret not sealed here is created by hand. */
  sealedSecrets: SealedValues;
}

/** Gives an environment file its type; the render checks the same declaration when it loads the file. */
export function defineEnvironment(settings: EnvironmentFileInput): EnvironmentFileInput {
  return settings;
}
