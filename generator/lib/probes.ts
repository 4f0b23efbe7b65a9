import type { IProbe } from "kubernetes-models/v1/Probe";
import type { ProbeSettings } from "../settings.ts";

/** Probe timings without the HTTP path; successThreshold defaults to 1, the only value liveness and startup accept. */
export type ProbeTimings = Omit<ProbeSettings, "path" | "successThreshold"> & { successThreshold?: number };

/** The timing fields every probe states, successThreshold included so the manifest shows it. */
function timings(probe: ProbeTimings): IProbe {
  return {
    ...(probe.initialDelaySeconds > 0 ? { initialDelaySeconds: probe.initialDelaySeconds } : {}),
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
    successThreshold: probe.successThreshold ?? 1,
  };
}

/** An HTTP probe against the container port named `http`. */
export function httpProbe(probe: ProbeSettings): IProbe {
  return { httpGet: { path: probe.path, port: "http" }, ...timings(probe) };
}

/** A probe that runs a shell command in the container (e.g. `pg_isready`). */
export function execProbe(script: string, probe: ProbeTimings): IProbe {
  return { exec: { command: ["sh", "-c", script] }, ...timings(probe) };
}
