import { defineEnvironment } from "../generator/settings.ts";

/** dev: everything in the cluster, local images, reachable over plain HTTP on todo.local and node port 30080, with Dapr. */
export default defineEnvironment({
  // Follows the branch; any tag, `latest` included: images are built straight into Minikube.
  delivery: { cluster: "minikube", sync: "automated", tags: "mutable" },
  frontend: {
    pullPolicy: "Never",
    service: { type: "NodePort", port: 3000, nodePort: 30080 },
  },
  backend: {
    pullPolicy: "Never",
    config: { LOG_LEVEL: "DEBUG" },
  },
  ingress: { host: "todo.local", tls: { enabled: false } },
  dapr: { enabled: true },
});
