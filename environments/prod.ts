import { defineEnvironment } from "../generator/settings.ts";

/** prod: external PostgreSQL (e.g. Neon), an autoscaled backend. */
export default defineEnvironment({
  frontend: { replicas: 2 },
  backend: {
    autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
    config: { LOG_LEVEL: "WARNING" },
  },
  database: { mode: "external" },
});
