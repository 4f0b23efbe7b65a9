import { defineEnvironment } from "../generator/settings.ts";

/** staging: like prod in shape (two replicas, a PodDisruptionBudget), with the in-cluster database. */
export default defineEnvironment({
  frontend: { replicas: 2 },
  backend: { replicas: 2 },
});
