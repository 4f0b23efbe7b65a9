import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { declaredSettings, environments } from "../testing/fixtures.ts";
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

  it("state successThreshold in every container probe of every rendered workload (1: no environment changes it)", async () => {
    const missing: string[] = [];
    let probes = 0;
    for (const { settings, objects } of await environments()) {
      for (const object of objects) {
        const containers = (object as { spec?: { template?: { spec?: { containers?: Record<string, IProbe | string>[] } } } }).spec?.template?.spec?.containers ?? [];
        for (const container of containers) {
          for (const field of ["startupProbe", "livenessProbe", "readinessProbe"]) {
            const probe = container[field] as IProbe | undefined;
            if (probe) probes++;
            if (probe && probe.successThreshold !== 1) missing.push(`${settings.name} ${object.kind}/${object.metadata?.name} ${container.name} ${field}`);
          }
        }
      }
    }
    // dev: frontend, backend, database, Redis; staging: no Redis; prod: no database either. Three probes each.
    assert.ok(probes >= 27, `only ${probes} probes found`);
    assert.deepEqual(missing, []);
  });
});
