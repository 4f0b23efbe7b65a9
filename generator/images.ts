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
  /** HTTP paths the app serves for probes (see docker/README.md, "The app's contract"). */
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

/**
 * The release of a third-party image every environment runs unless it states
 * another: a tag, and the digest of the multi-platform image index that tag
 * resolved to (what `docker pull <repository>:<tag>` fetches). The rendered
 * reference is `<repository>:<tag>@<digest>`: the kubelet pulls the digest,
 * so a tag re-pushed upstream changes nothing until this line changes.
 */
export interface PinnedRelease {
  readonly tag: string;
  readonly digest: string;
}

/** A third-party image: its facts hold for the release it is pinned to. */
export interface ThirdPartyImageFacts extends ImageFacts {
  readonly pinned: PinnedRelease;
}

/** The official PostgreSQL image, Alpine flavour: its `postgres` user is UID/GID 70. */
export const postgresImage: ThirdPartyImageFacts & { readonly dataPath: string } = {
  repository: "postgres",
  // docker-library/repo-info, repos/postgres/remote/17.10-alpine.md at commit
  // 7a53b39188eee6947aebbe7e49a4cf7f580a8a5b, first line: `docker pull
  // postgres@sha256:742f40ea…` under "Manifest MIME:
  // application/vnd.oci.image.index.v1+json", 16 platforms. repo-info has no
  // file for 17.6-alpine (nor 17.7–17.9), the tag this repository ran before:
  // 17.10 is the nearest patch release of the 17 line it lists. Its Dockerfile
  // there still creates `postgres` as uid/gid 70 with /var/run/postgresql.
  pinned: { tag: "17.10-alpine", digest: "sha256:742f40ea20b9ff2ff31db5458d127452988a2164df9e17441e191f3b72252193" },
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
export const redisImage: ThirdPartyImageFacts = {
  repository: "redis",
  // docker-library/repo-info, repos/redis/remote/8.6.5-alpine.md at commit
  // 76fda127651ab0eeba4667b4bf10a857e6254f7f, first line: `docker pull
  // redis@sha256:cd218f4b…` under "Manifest MIME:
  // application/vnd.oci.image.index.v1+json", 16 platforms (an earlier version
  // of the file, at ec83f86a, lists 14 without riscv64 for the same amd64
  // build: the index before the last platforms were added). repo-info has no
  // file for 8.6.4-alpine, the tag this repository ran before: 8.6.5 is the
  // nearest patch release of the 8.6 line it lists. Its Dockerfile there
  // still runs `addgroup -S -g 1000 redis; adduser -S -G redis -u 999 redis`.
  pinned: { tag: "8.6.5-alpine", digest: "sha256:cd218f4b106a332c5c992e38a9480bfb9d7e9f8f7b0ec9a0023bfa36d9a408f9" },
  port: 6379,
  uid: 999,
  gid: 1000,
  user: "redis",
  writablePaths: ["/data"],
};
