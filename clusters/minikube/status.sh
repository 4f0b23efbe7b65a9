#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# npm run cluster:status: each Argo CD Application's sync and health.
set -euo pipefail
SCRIPT_NAME="cluster:status"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: npm run cluster:status

Lists every Argo CD Application in the Minikube profile of
clusters/minikube/cluster.ts: sync status, health, the revision it is synced
to and the phase of its last sync operation.

Options:
  -h, --help   show this help
USAGE
}

while (($# > 0)); do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

require_commands kubectl node
load_facts
require_cluster

if ! kube get crd applications.argoproj.io >/dev/null 2>&1; then
  die "Argo CD is not installed in kubectl context '$CLUSTER_PROFILE' (no Application CRD): run 'npm run cluster:up'"
fi
kube -n "$ARGOCD_NAMESPACE" get applications.argoproj.io \
  -o custom-columns='NAME:.metadata.name,SYNC:.status.sync.status,HEALTH:.status.health.status,REVISION:.status.sync.revision,LAST SYNC:.status.operationState.phase'
