#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# npm run cluster:down: stops the Minikube profile; with --delete, deletes it.
set -euo pipefail
SCRIPT_NAME="cluster:down"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: npm run cluster:down [-- --delete]

Stops the Minikube profile of clusters/minikube/cluster.ts. Its disk is kept:
'npm run cluster:up' brings everything back as it was.

Options:
  --delete     delete the profile instead: its disk, the in-cluster databases,
               Argo CD's history and the Sealed Secrets controller's private
               key go with it (SealedSecrets in Git then no longer open on a
               new cluster unless that key was backed up)
  -h, --help   show this help
USAGE
}

delete=false
while (($# > 0)); do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --delete) delete=true && shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

require_commands minikube node
load_facts

state="$(minikube_state)"
if [[ $delete == true ]]; then
  printf '%s: deleting Minikube profile %s: its disk, databases, Argo CD history and the Sealed Secrets key are lost.\n' \
    "$SCRIPT_NAME" "$CLUSTER_PROFILE" >&2
  minikube delete -p "$CLUSTER_PROFILE"
elif [[ $state == Nonexistent ]]; then
  echo "Minikube profile $CLUSTER_PROFILE does not exist: nothing to stop."
elif [[ $state == Stopped/* ]]; then
  echo "Minikube profile $CLUSTER_PROFILE is already stopped."
else
  minikube stop -p "$CLUSTER_PROFILE"
fi
