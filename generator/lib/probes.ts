import type { IProbe } from "kubernetes-models/v1/Probe";
import type { ProbeSettings } from "../settings.ts";

/** An HTTP probe against the container port named `http`. */
export function httpProbe(probe: ProbeSettings): IProbe {
  return {
    httpGet: { path: probe.path, port: "http" },
    ...(probe.initialDelaySeconds > 0 ? { initialDelaySeconds: probe.initialDelaySeconds } : {}),
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
  };
}

/** A probe that runs a shell command in the container (e.g. `pg_isready`). */
export function execProbe(script: string, probe: Omit<ProbeSettings, "path">): IProbe {
  return {
    exec: { command: ["sh", "-c", script] },
    ...(probe.initialDelaySeconds > 0 ? { initialDelaySeconds: probe.initialDelaySeconds } : {}),
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
  };
}
