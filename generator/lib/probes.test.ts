import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { declaredSettings, environments, fixtureEnvironments } from "../testing/fixtures.ts";
import { execProbe, httpProbe } from "./probes.ts";

/** Every probe setting as declared, defaults only. */
const defaults = declaredSettings("dev");

describe("probes", () => {
  it("default to successThreshold 1 for every probe, as seed 002's ProbeConfig states", () => {
    for (const app of [defaults.frontend, defaults.backend]) {
      assert.deepEqual(Object.values(app.probes).map((probe) => probe.successThreshold), [1, 1, 1]);
    }
  });

  it("render successThreshold explicitly, HTTP and exec alike", () => {
    const readiness = { ...defaults.backend.probes.readiness, successThreshold: 2, initialDelaySeconds: 4 };
    assert.deepEqual(httpProbe(readiness), {
      httpGet: { path: "/health/ready", port: "http" },
      initialDelaySeconds: 4,
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 3,
      successThreshold: 2,
    });
    const timings = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
    assert.equal(execProbe("pg_isready", timings).successThreshold, 1);
    assert.equal(execProbe("pg_isready", { ...timings, successThreshold: 2 }).successThreshold, 2);
  });

  type Workloads = { settings: { name: string }; objects: unknown[] }[];
  /** Every container probe of every rendered workload, with where it is. */
  const probesOf = (rendered: Workloads) =>
    rendered.flatMap(({ settings, objects }) =>
      objects.flatMap((object) => {
        const { kind, metadata, spec } = object as { kind: string; metadata?: { name?: string }; spec?: { template?: { spec?: { containers?: Record<string, IProbe | string>[] } } } };
        return (spec?.template?.spec?.containers ?? []).flatMap((container) =>
          (["startupProbe", "livenessProbe", "readinessProbe"] as const)
            .filter((field) => container[field])
            .map((field) => ({ where: `${settings.name} ${kind}/${metadata?.name} ${container.name} ${field}`, field, probe: container[field] as IProbe })),
        );
      }),
    );

  it("state successThreshold 1 in every container probe of every workload the fixture renders (no shipped environment changes it)", async () => {
    const probes = probesOf(await fixtureEnvironments());
    // dev: frontend, backend, database, Redis; staging: no Redis; prod: no database either. Three probes each.
    assert.equal(probes.length, 27);
    assert.deepEqual(probes.filter(({ probe }) => probe.successThreshold !== 1).map(({ where }) => where), []);
  });

  it("state successThreshold in every container probe of every committed environment: 1 for liveness and startup (Kubernetes' rule), any whole number for readiness", async () => {
    const probes = probesOf(await environments());
    assert.ok(probes.length > 0, "no probe rendered");
    const wrong = probes.filter(({ field, probe }) => !(Number.isInteger(probe.successThreshold) && (field === "readinessProbe" ? probe.successThreshold! >= 1 : probe.successThreshold === 1)));
    assert.deepEqual(wrong.map(({ where, probe }) => `${where}: ${probe.successThreshold}`), []);
  });
});
