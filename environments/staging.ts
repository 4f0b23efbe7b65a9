import { defineEnvironment } from "../generator/settings.ts";

/** staging: like prod in shape (two replicas, a PodDisruptionBudget), with the in-cluster database. */
export default defineEnvironment({
  // Follows the branch, so main always runs somewhere that looks like prod; releases come from dev.
  delivery: { cluster: "minikube", sync: "automated", promotedFrom: "dev" },
  frontend: { replicas: 2 },
  backend: { replicas: 2 },
});
