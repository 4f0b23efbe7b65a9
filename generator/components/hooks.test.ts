import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { find, settingsOf, merge } from "../testing/fixtures.ts";
import { migration } from "./migration.ts";
import { smokeTest } from "./smoke-test.ts";

const dev = await settingsOf("dev");
const prod = await settingsOf("prod");

describe("migration hook", () => {
  it("is a Sync hook (not PreSync) in the backend image running alembic upgrade head", () => {
    const job = find<IJob>(migration(dev), "Job", "todo-migration");
    assert.equal(job.metadata!.annotations!["argocd.argoproj.io/hook"], "Sync");
    assert.match(job.metadata!.annotations!["argocd.argoproj.io/hook-delete-policy"]!, /BeforeHookCreation/);
    assert.equal(job.spec!.backoffLimit, 2);
    const container = job.spec!.template.spec!.containers[0]!;
    assert.equal(container.image, `todo-backend:${dev.backend.image.tag}`);
    assert.deepEqual(container.command, ["alembic", "upgrade", "head"]);
  });

  it("waits for the in-cluster database, and not for an external one", () => {
    const init = (settings: typeof dev) => find<IJob>(migration(settings), "Job", "todo-migration").spec!.template.spec!.initContainers;
    const wait = init(dev)![0]!;
    assert.match(wait.command!.join(" "), /pg_isready/);
    // libpq reads the host, port, user and database from PG*: a user name that never comes from /etc/passwd.
    const env = Object.fromEntries((wait.env ?? []).map((e) => [e.name, e.value ?? `${e.valueFrom?.secretKeyRef?.name}/${e.valueFrom?.secretKeyRef?.key}`]));
    assert.deepEqual(env, {
      PGHOST: "todo-database.todo-dev.svc.cluster.local",
      PGPORT: "5432",
      PGUSER: "todo-database-secret/POSTGRES_USER",
      PGDATABASE: "todo-database-secret/POSTGRES_DB",
    });
    assert.equal(init(prod), undefined);
  });

  it("runs a configured command", () => {
    const custom = merge(dev, { backend: { migration: { command: ["python", "-m", "app.migrate"] } } });
    assert.deepEqual(find<IJob>(migration(custom), "Job", "todo-migration").spec!.template.spec!.containers[0]!.command, ["python", "-m", "app.migrate"]);
  });
});

describe("smoke test hook", () => {
  it("is a PostSync hook that calls the backend's readiness and the frontend's health through their Services", () => {
    const job = find<IJob>(smokeTest(dev), "Job", "todo-smoke-test");
    assert.equal(job.metadata!.annotations!["argocd.argoproj.io/hook"], "PostSync");
    assert.equal(job.spec!.backoffLimit, 1);
    const command = job.spec!.template.spec!.containers[0]!.command!;
    assert.deepEqual(command.slice(-2), [
      "http://todo-backend.todo-dev.svc.cluster.local:8000/health/ready",
      "http://todo-frontend.todo-dev.svc.cluster.local:3000/api/health",
    ]);
  });

  it("can be turned off", () => {
    assert.deepEqual(smokeTest(merge(dev, { smokeTest: { enabled: false } })), []);
  });
});
