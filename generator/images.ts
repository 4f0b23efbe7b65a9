/**
 * What each container image is, independent of any environment: the port it
 * listens on, the user it runs as, its health endpoints and the paths it must
 * be able to write. These are properties of the image, not settings, so no
 * environment can override them. The Dockerfiles in docker/ are checked
 * against this file (docker/dockerfiles.test.ts).
 */

export interface ImageFacts {
  /** Default repository (the image name in Minikube's image store). */
  readonly repository: string;
  /** TCP port the process listens on, exposed as the container port named `http`. */
  readonly port: number;
  /** Numeric UID and GID the image's user has; pods run as exactly these. */
  readonly uid: number;
  readonly gid: number;
  /** Name of that user inside the image. */
  readonly user: string;
  /** Directories the process writes to; everything else is read-only at run time. */
  readonly writablePaths: readonly string[];
}

export interface AppImageFacts extends ImageFacts {
  /** HTTP paths the app serves for probes (see README, "The app's contract"). */
  readonly health: {
    readonly live: string;
    readonly ready: string;
  };
  /**
   * The largest the built image may be, in MB of 1,000,000 bytes (as `docker
   * images` counts): `npm run images` fails above it.
   */
  readonly maxSizeMB: number;
}

export const frontendImage: AppImageFacts = {
  repository: "todo-frontend",
  port: 3000,
  uid: 1001,
  gid: 1001,
  user: "nextjs",
  health: { live: "/api/health", ready: "/api/health" },
  maxSizeMB: 300,
  // Next.js writes its image and fetch cache under .next/cache.
  writablePaths: ["/tmp", "/app/.next/cache"],
};

export const backendImage: AppImageFacts = {
  repository: "todo-backend",
  port: 8000,
  uid: 1000,
  gid: 1000,
  user: "appuser",
  health: { live: "/health/live", ready: "/health/ready" },
  maxSizeMB: 500,
  writablePaths: ["/tmp"],
};

/** The official PostgreSQL image, Alpine flavour: its `postgres` user is UID/GID 70. */
export const postgresImage: ImageFacts & { readonly dataPath: string } = {
  repository: "postgres",
  port: 5432,
  uid: 70,
  gid: 70,
  user: "postgres",
  // The socket and lock files live in /var/run/postgresql.
  writablePaths: ["/tmp", "/var/run/postgresql"],
  dataPath: "/var/lib/postgresql/data",
};

/**
 * The official Redis image, Alpine flavour: its `redis` user is UID 999 in
 * group 1000 (Alpine already has a GID 999). Started as that user, the
 * entrypoint never needs root, and /data is the only path Redis writes.
 */
export const redisImage: ImageFacts = {
  repository: "redis",
  port: 6379,
  uid: 999,
  gid: 1000,
  user: "redis",
  writablePaths: ["/data"],
};
