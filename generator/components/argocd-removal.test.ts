/**
 * Removing an environment is deliberate: when its file goes (on purpose, or
 * by a generator bug), the root Application's sync must not delete its
 * Application, and nothing may cascade into its workloads, SealedSecrets
 * and Secrets. Judged with a model of Argo CD's prune and delete rules
 * (testing/argocd-sync.ts) on two real renders: the repository, and a
 * scratch copy without staging (prod promoted from dev instead).
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import type { KubeObject } from "../kube-object.ts";
import { renderRepository } from "../commands/pipeline.ts";
import { deletedWithParent, deletionCascades, prunePlan } from "../testing/argocd-sync.ts";
import { scratchRepository } from "../testing/fixtures.ts";

const GONE = "staging";

function appsOf(files: Map<string, string>): KubeObject[] {
  return [...files].filter(([path]) => path.startsWith("argocd/apps/")).map(([, yaml]) => parse(yaml) as KubeObject);
}

// Before and after, both in the scratch repository (the tests' fixture environments): not the work tree's, which may hold more.
const scratch = scratchRepository("todo-removal-");
after(() => rmSync(scratch, { recursive: true, force: true }));
const before = appsOf((await renderRepository({ root: scratch })).files);
rmSync(join(scratch, "environments", `${GONE}.ts`));
rmSync(join(scratch, "environments", `${GONE}.images.json`), { force: true });
rmSync(join(scratch, "environments", `${GONE}.sealed.json`), { force: true });
// As the README's recipe says: what was promoted from it is promoted from its own source now (prod from dev).
const prodFile = join(scratch, "environments", "prod.ts");
writeFileSync(prodFile, readFileSync(prodFile, "utf8").replace(`promotedFrom: "${GONE}"`, 'promotedFrom: "dev"'));
const afterRemoval = appsOf((await renderRepository({ root: scratch })).files);

describe(`removing environments/${GONE}.ts`, () => {
  it("drops its Application from what the root Application syncs (the render follows the environments)", () => {
    assert.ok(before.some((o) => o.metadata?.name === `todo-${GONE}`));
    assert.ok(!afterRemoval.some((o) => o.metadata?.name === `todo-${GONE}`));
  });

  it("does not make the root Application's sync delete it: it is kept and shown as requiring pruning", () => {
    const plan = prunePlan(before, afterRemoval);
    assert.deepEqual(plan, { pruned: [], kept: [`Application todo-${GONE}`], awaitingConfirmation: [] });
  });

  it("cascades into no workload: deleting an environment's Application, or the root with cascade, deletes nothing it deployed", () => {
    for (const app of before.filter((o) => o.kind === "Application" && /^todo-/.test(o.metadata!.name!))) {
      assert.equal(deletionCascades(app), false, `${app.metadata!.name} carries the resources finalizer`);
      assert.equal(deletedWithParent(app), false, `${app.metadata!.name} would be deleted with the root Application`);
    }
  });
});
