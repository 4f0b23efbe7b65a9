import { defineEnvironment } from "../generator/settings.ts";

/** prod: external PostgreSQL (e.g. Neon), an autoscaled backend. */
export default defineEnvironment({
  // Synced by hand, which keeps Argo CD's History and Rollback usable; what runs here ran in staging first.
  delivery: { cluster: "minikube", sync: "manual", promotedFrom: "staging" },
  frontend: { replicas: 2 },
  backend: {
    autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
    config: { LOG_LEVEL: "WARNING" },
  },
  database: {
    mode: "external",
    // Replace with your database's address range(s) (your provider's
    // published range, or its address as /32): the backend and the migration
    // may reach port 5432 there and nowhere else. 192.0.2.0/24 is a
    // documentation range (RFC 5737) where nothing answers.
    externalCidrs: ["192.0.2.0/24"],
  },
});
