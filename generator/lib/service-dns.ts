import type { Settings } from "../settings.ts";

/** The in-cluster DNS name of a Service in the environment's namespace. */
export function serviceHost(settings: Settings, service: string): string {
  return `${service}.${settings.namespace}.svc.cluster.local`;
}
