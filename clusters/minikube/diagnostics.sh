#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Prints what explains a failed sync: Argo CD's view of each Application, its
# controller's log, and for each environment's namespace the objects, events,
# pod descriptions and logs (hook Jobs included). It runs when something else
# already failed (the e2e workflow's failure step), so a kubectl call that
# fails does not stop it; but with nothing to ask (no kubectl, no context, a
# cluster that does not answer) it says so once and exits 1, rather than
# repeating kubectl's error for every object.
set -uo pipefail
SCRIPT_NAME="diagnostics"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: bash clusters/minikube/diagnostics.sh [NAMESPACE...]

Dumps Argo CD's Applications and logs, then objects, events, pod
descriptions and logs of each NAMESPACE (default: every environment's).
USAGE
}

case ${1:-} in
  -h | --help)
    usage
    exit 0
    ;;
  -*) usage_error "unknown argument: $1" ;;
esac

require_commands kubectl node
load_facts
if ! (require_cluster); then
  # minikube's own view of the profile, when it is there to ask.
  if command -v minikube >/dev/null 2>&1; then minikube -p "$CLUSTER_PROFILE" status >&2; fi
  exit 1
fi
read -ra namespaces <<<"${*:-$NAMESPACES}"

section() {
  printf '\n===== %s =====\n' "$*"
}

section "nodes"
kube get nodes -o wide
# Pods stuck in ContainerCreating, or traffic a NetworkPolicy should allow
# being dropped, start here.
section "network plugin $CLUSTER_CNI ($CLUSTER_CNI_NAMESPACE/$CLUSTER_CNI_DAEMONSET)"
kube -n "$CLUSTER_CNI_NAMESPACE" get daemonset "$CLUSTER_CNI_DAEMONSET" -o wide
section "Applications ($ARGOCD_NAMESPACE)"
kube -n "$ARGOCD_NAMESPACE" get applications.argoproj.io -o yaml
section "argocd-application-controller log"
kube -n "$ARGOCD_NAMESPACE" logs statefulset/argocd-application-controller --tail=300
section "argocd-repo-server log"
kube -n "$ARGOCD_NAMESPACE" logs deployment/argocd-repo-server --tail=100
if command -v minikube >/dev/null 2>&1; then
  section "images in minikube profile $CLUSTER_PROFILE"
  minikube -p "$CLUSTER_PROFILE" image ls
fi

for namespace in "${namespaces[@]}"; do
  section "$namespace: objects"
  kube -n "$namespace" get all,ingress,pvc,configmaps,secrets,networkpolicies,jobs -o wide
  section "$namespace: events"
  kube -n "$namespace" get events --sort-by=.lastTimestamp
  section "$namespace: pods"
  kube -n "$namespace" describe pods
  mapfile -t pods < <(kube -n "$namespace" get pods -o name)
  for pod in "${pods[@]}"; do
    section "$namespace: log of $pod"
    kube -n "$namespace" logs "$pod" --all-containers --prefix --tail=200
  done
done
exit 0
