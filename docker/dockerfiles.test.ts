/**
 * One truth: the Dockerfiles agree with generator/images.ts and with what the
 * generator renders for every environment, and they follow issue 5's rules.
 * The rules are also run on planted mistakes, to show each one is caught.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { listEnvironments, loadEnvironment } from "../generator/load/environments.ts";
import type { KubeObject } from "../generator/kube-object.ts";
import { renderEnvironment } from "../generator/render.ts";
import {
  type AppComponent,
  checkDockerfile,
  DOCKERFILE_RULES,
  exposedPorts,
  imageBuildArgs,
  parseStages,
  readHealthcheck,
  userId,
} from "./dockerfile-rules.ts";

const COMPONENTS: readonly AppComponent[] = ["frontend", "backend"];

function dockerfile(component: AppComponent): string {
  return readFileSync(new URL(`./${component}/Dockerfile`, import.meta.url), "utf8");
}

function runner(text: string) {
  const stage = parseStages(text).stages.at(-1);
  assert.ok(stage, "the Dockerfile has a final stage");
  return stage;
}

function find<T extends KubeObject>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  assert.ok(found, `${kind} ${name} is rendered`);
  return found as T;
}

function runAsUser(pod: IPodSpec, containerIndex = 0): number | undefined {
  return pod.containers[containerIndex]?.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
}

describe("the Dockerfiles follow the image rules", () => {
  for (const component of COMPONENTS) {
    it(`docker/${component}/Dockerfile breaks no rule`, () => {
      assert.deepEqual(checkDockerfile(dockerfile(component), DOCKERFILE_RULES[component]), []);
    });

    it(`docker/${component}/Dockerfile's build-arg defaults equal generator/images.ts`, () => {
      const args = runner(dockerfile(component)).args;
      for (const [name, value] of Object.entries(imageBuildArgs(DOCKERFILE_RULES[component].image))) {
        assert.equal(args.get(name), value, `ARG ${name}`);
      }
    });
  }
});

describe("the Dockerfiles agree with the rendered manifests", () => {
  for (const environment of listEnvironments()) {
    it(`${environment}: port, user and liveness path of each app image`, async () => {
      const objects = renderEnvironment(await loadEnvironment(environment));
      for (const component of COMPONENTS) {
        const image = runner(dockerfile(component));
        const deployment = find<IDeployment>(objects, "Deployment", `todo-${component}`);
        const pod = deployment.spec!.template.spec!;
        const container = pod.containers[0]!;
        const httpPort = container.ports?.find((port) => port.name === "http")?.containerPort;
        const health = readHealthcheck(image);
        assert.ok(!("error" in health), `${component}: ${"error" in health ? health.error : ""}`);

        assert.deepEqual(exposedPorts(image), [String(httpPort)], `${component}: EXPOSE = rendered containerPort`);
        assert.equal(health.port, String(httpPort), `${component}: HEALTHCHECK port = rendered containerPort`);
        assert.equal(userId(image), runAsUser(pod), `${component}: USER = rendered runAsUser`);
        assert.equal(health.path, container.livenessProbe?.httpGet?.path, `${component}: HEALTHCHECK path = rendered liveness path`);
      }
    });

    it(`${environment}: the migration Job runs as the backend image's user`, async () => {
      const objects = renderEnvironment(await loadEnvironment(environment));
      const job = find<IJob>(objects, "Job", "todo-migration");
      const pod = job.spec!.template.spec!;
      const migrate = pod.containers.findIndex((c) => c.image?.startsWith(`${DOCKERFILE_RULES.backend.image.repository}:`));
      assert.ok(migrate >= 0, "the migration Job uses the backend image");
      assert.equal(userId(runner(dockerfile("backend"))), runAsUser(pod, migrate));
    });
  }
});

/** Replaces one line of the real Dockerfile, failing loudly if the line is not there. */
function plant(component: AppComponent, line: RegExp, replacement: string): string {
  const text = dockerfile(component);
  assert.match(text, line, `the ${component} Dockerfile has the line the mistake replaces`);
  return text.replace(line, replacement);
}

function problems(component: AppComponent, text: string): string {
  return checkDockerfile(text, DOCKERFILE_RULES[component]).join("\n");
}

describe("planted mistakes are caught", () => {
  it("a port that is not generator/images.ts's (EXPOSE, listen port and HEALTHCHECK follow ARG PORT)", () => {
    const found = problems("frontend", plant("frontend", /^ARG PORT=.*$/m, "ARG PORT=8080"));
    assert.match(found, /ARG PORT in the final stage must default to 3000 .*found "8080"/);
    assert.match(found, /must EXPOSE exactly 3000 .*found EXPOSE 8080/);
    assert.match(found, /HEALTHCHECK must request port 3000 .*found 8080/);
  });

  it("a literal EXPOSE that differs from the app port", () => {
    assert.match(problems("backend", plant("backend", /^EXPOSE .*$/m, "EXPOSE 8080")), /must EXPOSE exactly 8000 .*found EXPOSE 8080/);
  });

  it("an unpinned or latest base image", () => {
    assert.match(
      problems("frontend", plant("frontend", /^ARG NODE_IMAGE=.*$/m, "ARG NODE_IMAGE=node:latest")),
      /stage deps: the base image must be pinned to a version tag, never latest; found "node:latest"/,
    );
    assert.match(
      problems("backend", plant("backend", /^FROM \$\{PYTHON_IMAGE\} AS runner$/m, "FROM python AS runner")),
      /stage runner: the base image must be pinned .*found "python"/,
    );
    assert.match(
      problems("backend", plant("backend", /^ARG PYTHON_IMAGE=.*$/m, "ARG PYTHON_IMAGE=python:3.13-slim")),
      /the base image must be python:3\.13\.<patch>-slim.*found "python:3\.13-slim"/,
    );
    assert.match(
      problems("frontend", plant("frontend", /^FROM \$\{NODE_IMAGE\} AS builder$/m, "FROM node:20.19.0-alpine AS builder")),
      /stage builder: the base image must be node:22/,
    );
  });

  it("a base image pinned by tag only, or by a malformed digest (issue 16: every base by digest)", () => {
    const tagOnly = problems("frontend", plant("frontend", /^ARG NODE_IMAGE=.*$/m, "ARG NODE_IMAGE=node:22.23.2-alpine3.23"));
    for (const stage of ["deps", "builder", "runner"]) {
      assert.match(tagOnly, new RegExp(`stage ${stage}: the base image must be pinned by digest as well, node:22\\.23\\.2-alpine3\\.23@sha256:<digest of its image index> .*found "node:22\\.23\\.2-alpine3\\.23"`));
    }
    const literal = problems("backend", plant("backend", /^FROM \$\{PYTHON_IMAGE\} AS runner$/m, "FROM python:3.13.14-slim-bookworm AS runner"));
    assert.match(literal, /stage runner: the base image must be pinned by digest as well/);
    assert.doesNotMatch(literal, /stage builder/, "the builder still takes the pinned ARG");
    const short = problems("backend", plant("backend", /^ARG PYTHON_IMAGE=.*$/m, "ARG PYTHON_IMAGE=python:3.13.14-slim-bookworm@sha256:67a1e1f2"));
    assert.match(short, /stage builder: the base image's digest must be a sha256 digest: sha256: and 64 lowercase hex digits .*found "python:3\.13\.14-slim-bookworm@sha256:67a1e1f2"/);
  });

  it("a base image pinned by tag and digest passes, written in FROM or through the build argument", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    assert.equal(problems("backend", plant("backend", /^FROM \$\{PYTHON_IMAGE\} AS runner$/m, `FROM docker.io/library/python:3.13.14-slim-bookworm@${digest} AS runner`)), "");
    assert.match(dockerfile("frontend"), /^ARG NODE_IMAGE=node:22\.\d+\.\d+-alpine[\d.]*@sha256:[0-9a-f]{64}$/m);
    assert.match(dockerfile("backend"), /^ARG PYTHON_IMAGE=python:3\.13\.\d+-slim-bookworm@sha256:[0-9a-f]{64}$/m);
  });

  it("a root, named or missing USER", () => {
    assert.match(problems("backend", plant("backend", /^USER .*$/m, "USER 0")), /USER must not be root/);
    assert.match(problems("backend", plant("backend", /^USER .*$/m, "USER appuser")), /USER must be numeric/);
    assert.match(problems("frontend", plant("frontend", /^USER .*$/m, "USER 1000:1000")), /USER must be 1001:1001 .*found USER 1000:1000/);
    assert.match(problems("frontend", plant("frontend", /^USER .*\n/m, "")), /must set USER 1001:1001; found no USER/);
  });

  it("a HEALTHCHECK with curl, on the wrong path, or in exec form (where the port variable is never expanded)", () => {
    const curl = 'HEALTHCHECK CMD curl -fsS "http://127.0.0.1:${UVICORN_PORT}/health/live"';
    assert.match(problems("backend", plant("backend", /^HEALTHCHECK[^\n]*\\\n[^\n]*$/m, curl)), /must run python, which the base image has .*found curl/);
    const readyPath = dockerfile("backend").replace("/health/live'", "/health/ready'");
    assert.match(problems("backend", readyPath), /must request \/health\/live, the liveness path .*found \/health\/ready/);
    const execForm = 'HEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:${PORT}/api/health\')"]';
    assert.match(problems("frontend", plant("frontend", /^HEALTHCHECK[^\n]*\\\n[^\n]*$/m, execForm)), /must request port 3000 .*found \$\{PORT\}/);
    assert.match(problems("frontend", plant("frontend", /^HEALTHCHECK[^\n]*\\\n[^\n]*$/m, "HEALTHCHECK NONE")), /found HEALTHCHECK NONE/);
  });

  it("OCI labels that are missing or not set from build args", () => {
    const literal = problems("backend", dockerfile("backend").replace('org.opencontainers.image.revision="${REVISION}"', 'org.opencontainers.image.revision="abc123"'));
    assert.match(literal, /LABEL org\.opencontainers\.image\.revision must come from a build arg .*found "abc123"/);
    const missing = problems("frontend", dockerfile("frontend").replace(/ \\\n\s+org\.opencontainers\.image\.version="\$\{VERSION\}"/, ""));
    assert.match(missing, /LABEL org\.opencontainers\.image\.version must be set in the final stage; found none/);
  });

  it("a single-stage build, or dev dependencies in the final stage", () => {
    const single = 'FROM node:22.20.0-alpine3.22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nUSER 1001\nEXPOSE 3000\nCMD ["npm", "start"]\n';
    const found = problems("frontend", single);
    assert.match(found, /build stages must be deps → builder → runner; found \(unnamed\)/);
    assert.match(found, /must not install packages .*RUN npm ci/);
    assert.match(found, /must COPY --from=builder \/app\/\.next\/standalone/);

    const devModules = plant("frontend", /^COPY --from=builder \/app\/public .*$/m, "COPY --from=deps /app/node_modules ./node_modules");
    const caught = problems("frontend", devModules);
    assert.match(caught, /may copy only from the builder stage .*COPY --from=deps \/app\/node_modules/);
    assert.match(caught, /must COPY --from=builder \/app\/public/);
  });

  it("a build that is not Next.js standalone", () => {
    const found = problems("frontend", plant("frontend", /^CMD .*$/m, 'CMD ["npm", "start"]'));
    assert.match(found, /CMD must be \["node","server\.js"\]/);
  });

  it("a HOME outside the writable paths, or bytecode written next to the code", () => {
    assert.match(problems("frontend", dockerfile("frontend").replace("HOME=/tmp", "HOME=/home/nextjs")), /ENV HOME must be inside a writable path .*found "\/home\/nextjs"/);
    assert.match(problems("backend", plant("backend", /^ENV PYTHONDONTWRITEBYTECODE=1 \\$/m, "ENV PYTHONDONTWRITEBYTECODE=0 \\")), /ENV PYTHONDONTWRITEBYTECODE must be 1; found "0"/);
  });

  it("a server that listens on another port than it exposes", () => {
    const found = problems("backend", dockerfile("backend").replace("UVICORN_PORT=${PORT}", "UVICORN_PORT=8080"));
    assert.match(found, /ENV UVICORN_PORT, the port the server listens on, must be 8000; found "8080"/);
    assert.match(found, /HEALTHCHECK must request port 8000 .*found 8080/);
  });
});
