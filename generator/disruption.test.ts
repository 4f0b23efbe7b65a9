/**
 * Disruption and spread, over each environment's whole rendered set and over
 * scaled variants of it: a node drain or a node loss must never be held up by
 * a budget, nor take every replica of a component at once.
 *
 * What the public policy checks (kube-score, kube-linter, Polaris) flag on a
 * multi-replica workload, stated as properties of the graph:
 * - no PodDisruptionBudget without `unhealthyPodEvictionPolicy: AlwaysAllow`
 *   (a crash-looping pod must never block a drain);
 * - no workload that can run more than one replica (replicas > 1, or an HPA
 *   scales it) without a PodDisruptionBudget and a spread rule across nodes
 *   that a single-node cluster still schedules (`ScheduleAnyway`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import type { KubeObject } from "./kube-object.ts";
import { renderEnvironment } from "./render.ts";
import type { EnvironmentFileInput, Settings } from "./settings.ts";
import { environments, merge } from "./testing/fixtures.ts";
import { type PodTemplate, podTemplates } from "./testing/network-policy.ts";

const rendered = await environments();

/** Each environment as it is, and scaled out in both ways a component can run several pods. */
const VARIANTS: [string, Partial<EnvironmentFileInput>][] = [
  ["as committed", {}],
  ["three replicas each", { frontend: { replicas: 3 }, backend: { replicas: 3 } }],
  [
    "both autoscaled",
    {
      frontend: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 4 } },
      backend: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 } },
    },
  ],
  ["one replica each", { frontend: { replicas: 1, autoscaling: { enabled: false } }, backend: { replicas: 1, autoscaling: { enabled: false } } }],
];

function selects(selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>): boolean {
  const match = Object.entries(selector?.matchLabels ?? {});
  return match.length > 0 && match.every(([key, value]) => labels[key] === value);
}

/** Workloads that can run more than one pod: replicas above one, or the target of an HPA. */
function multiReplica(objects: KubeObject[], templates: PodTemplate[]): PodTemplate[] {
  const scaled = new Set(
    objects
      .filter((o): o is IHorizontalPodAutoscaler & KubeObject => o.kind === "HorizontalPodAutoscaler")
      .map((hpa) => `${hpa.spec!.scaleTargetRef.kind}/${hpa.spec!.scaleTargetRef.name}`),
  );
  return templates.filter(({ owner }) => {
    if (owner.kind === "Job") return false;
    const replicas = (owner as { spec?: { replicas?: number } }).spec?.replicas ?? 1;
    return replicas > 1 || scaled.has(`${owner.kind}/${owner.metadata!.name}`);
  });
}

for (const { settings: committed } of rendered) {
  for (const [variant, overrides] of VARIANTS) {
    const settings: Settings = merge(committed, overrides);
    const objects = variant === "as committed" ? rendered.find((r) => r.settings.name === committed.name)!.objects : renderEnvironment(settings);
    const templates = podTemplates(objects);
    const budgets = objects.filter((o): o is IPodDisruptionBudget & KubeObject => o.kind === "PodDisruptionBudget");

    describe(`${committed.name} (${variant}): disruption and spread`, () => {
      it("every PodDisruptionBudget lets unhealthy pods be evicted (AlwaysAllow) and guards the pods of a workload", () => {
        for (const pdb of budgets) {
          const name = `PodDisruptionBudget ${pdb.metadata!.name}`;
          assert.equal(pdb.spec!.unhealthyPodEvictionPolicy, "AlwaysAllow", `${name}: a crash-looping pod could block a drain`);
          assert.ok(templates.some((t) => t.owner.kind !== "Job" && selects(pdb.spec!.selector, t.labels)), `${name} selects no workload's pods`);
          // A budget that allows no disruption blocks every drain.
          assert.notEqual(pdb.spec!.maxUnavailable, 0, `${name}: maxUnavailable 0`);
          assert.equal(pdb.spec!.minAvailable, undefined, `${name}: minAvailable can equal the replica count and block a drain`);
        }
      });

      it("every workload that can run more than one pod has a budget and spreads across nodes, schedulable on one node", () => {
        const several = multiReplica(objects, templates);
        if (variant === "three replicas each" || variant === "both autoscaled") assert.ok(several.length >= 2, "the variant scales nothing: the check would prove nothing");
        for (const template of several) {
          const owner = `${template.owner.kind} ${template.owner.metadata!.name}`;
          assert.ok(budgets.some((pdb) => selects(pdb.spec!.selector, template.labels)), `${owner}: no PodDisruptionBudget`);
          const spread = (template.spec.topologySpreadConstraints ?? []) as ITopologySpreadConstraint[];
          const byNode = spread.find((c) => c.topologyKey === "kubernetes.io/hostname");
          assert.ok(byNode, `${owner}: no topologySpreadConstraints across kubernetes.io/hostname`);
          assert.equal(byNode.whenUnsatisfiable, "ScheduleAnyway", `${owner}: DoNotSchedule leaves replicas Pending on a single node`);
          assert.equal(byNode.maxSkew, 1, `${owner}: maxSkew`);
          assert.ok(selects(byNode.labelSelector, template.labels), `${owner}: the spread rule does not select its own pods`);
          // Its own pods only: a selector shared with another workload would spread the two against each other.
          for (const other of templates.filter((t) => t !== template)) {
            assert.ok(!selects(byNode.labelSelector, other.labels), `${owner}: the spread rule also selects ${other.owner.kind} ${other.owner.metadata!.name}`);
          }
        }
      });

      it("a workload that runs one pod has neither budget nor spread rule", () => {
        const several = new Set(multiReplica(objects, templates));
        for (const template of templates.filter((t) => t.owner.kind !== "Job" && !several.has(t))) {
          const owner = `${template.owner.kind} ${template.owner.metadata!.name}`;
          assert.equal(template.spec.topologySpreadConstraints, undefined, owner);
          // A budget over one pod blocks every drain (maxUnavailable 1 would not, but it protects nothing either).
          assert.ok(!budgets.some((pdb) => selects(pdb.spec!.selector, template.labels)), `${owner}: a budget over a single pod`);
        }
      });
    });
  }
}
