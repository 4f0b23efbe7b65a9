#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# npm run cluster:up: Minikube, Argo CD and the root Application, from zero or
# again (every step is idempotent).
set -euo pipefail
SCRIPT_NAME="cluster:up"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: npm run cluster:up [-- OPTIONS]

Starts the Minikube profile of clusters/minikube/cluster.ts with its network
plugin (which enforces NetworkPolicies) and addons, installs the pinned Argo
CD (argocd/install; its release manifest is checked against its SHA-256
first), waits until it is ready, applies the AppProjects and the root
Application (argocd/bootstrap) and prints how to reach the UI. Running it
again does no harm; it warns when an existing profile runs another network
plugin.

Options:
  --git-repo-url URL   track this Git repository instead of cluster.ts's
  --git-revision REV   track this branch, tag or commit instead of cluster.ts's
                       (with either: the AppProjects and Applications are
                       applied directly with that source, without the root
                       Application, which would put the committed one back;
                       one sync wave at a time, the control planes Healthy
                       before the environments are applied)
  --no-bootstrap       install Argo CD but apply no Application yet
                       (e.g. to create Secrets and build images first)
  -h, --help           show this help
USAGE
}

repo_url=""
revision=""
bootstrap=true
while (($# > 0)); do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --git-repo-url | --git-revision)
      [[ $# -ge 2 && -n $2 && $2 != -* ]] || usage_error "$1 needs a value"
      if [[ $1 == --git-repo-url ]]; then repo_url=$2; else revision=$2; fi
      shift 2
      ;;
    --git-repo-url=*) repo_url=${1#*=} && shift ;;
    --git-revision=*) revision=${1#*=} && shift ;;
    --no-bootstrap) bootstrap=false && shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

# Reading cluster.ts needs Node, and nothing else: the placeholder check below
# comes before any other prerequisite, as the README promises.
load_facts

# Argo CD deploys what the tracked repository serves; the URL this repository
# ships with is a placeholder, which Argo CD would report as "repository not
# found". Refuse before checking or starting anything else.
if [[ $bootstrap == true && -z $repo_url && $GIT_REPO_URL_IS_PLACEHOLDER == true ]]; then
  die "Argo CD would track $GIT_REPO_URL, a placeholder that is no repository.
  Set git.repoURL in clusters/minikube/cluster.ts to your fork of this repository,
  then run npm run render, commit and push, and run npm run cluster:up again.
  Or: npm run cluster:up -- --git-repo-url <url> to track another repository for now,
      npm run cluster:up -- --no-bootstrap to install Argo CD without any Application."
fi

require_commands minikube kubectl
# The driver minikube will start the profile with (clusters/minikube/profile.ts, startDriver).
IFS=$'\t' read -r driver driver_reason < <(run_ts "$REPO_ROOT/clusters/minikube/profile.ts" driver "$CLUSTER_PROFILE") || true
if [[ ${driver:-} == docker ]]; then require_docker "$driver_reason"; fi

step "Minikube profile $CLUSTER_PROFILE"
state="$(minikube_state)"
case $state in
  Running/Running)
    echo "Already running: not restarted."
    ;;
  Running/Paused)
    minikube -p "$CLUSTER_PROFILE" unpause
    ;;
  *)
    start=(minikube start -p "$CLUSTER_PROFILE"
      --kubernetes-version="$CLUSTER_KUBERNETES_VERSION"
      --cpus="$CLUSTER_CPUS"
      --memory="${CLUSTER_MEMORY_MIB}m")
    # The CNI and runtime only when creating: a stopped profile restarts with
    # its own, and --cni would layer a second plugin onto a cluster built with another.
    if [[ $state == Nonexistent ]]; then start+=(--cni="$CLUSTER_CNI" --container-runtime="$CLUSTER_CONTAINER_RUNTIME"); fi
    "${start[@]}"
    ;;
esac
require_cluster

step "Network plugin $CLUSTER_CNI (enforces the NetworkPolicies)"
cni_warning=""
if answer="$(kube -n "$CLUSTER_CNI_NAMESPACE" get daemonset "$CLUSTER_CNI_DAEMONSET" -o name 2>&1)"; then
  # Pods started before it is ready wait for a network; wait here instead.
  kube -n "$CLUSTER_CNI_NAMESPACE" rollout status "daemonset/$CLUSTER_CNI_DAEMONSET" --timeout=5m
elif [[ $answer == *NotFound* ]]; then
  cni_warning="warning: Minikube profile $CLUSTER_PROFILE does not run $CLUSTER_CNI (no DaemonSet $CLUSTER_CNI_NAMESPACE/$CLUSTER_CNI_DAEMONSET):
  it was created with another network plugin, which ignores NetworkPolicy, so no
  NetworkPolicy of any environment is enforced. A profile keeps the plugin it
  was created with; recreate it (its disk, databases, Argo CD history and
  Sealed Secrets key are lost):
    npm run cluster:down -- --delete
    npm run cluster:up"
  printf '%s: %s\n' "$SCRIPT_NAME" "$cni_warning" >&2
else
  die "could not look for DaemonSet $CLUSTER_CNI_NAMESPACE/$CLUSTER_CNI_DAEMONSET: ${answer%%$'\n'*}"
fi

step "Addons"
read -ra addons <<<"$CLUSTER_ADDONS"
for addon in "${addons[@]}"; do
  minikube -p "$CLUSTER_PROFILE" addons enable "$addon"
done

step "Argo CD (argocd/install)"
# The release manifest, downloaded and checked against its pinned SHA-256
# before anything is applied; what is applied is that checked copy.
install_dir="$(run_ts "$REPO_ROOT/clusters/minikube/argocd-install.ts")" ||
  die "Argo CD was not installed (see above)"
# Server-side: the ApplicationSet CRD is too big for client-side apply's
# last-applied annotation. --force-conflicts takes back fields edited by hand.
kube apply --server-side --force-conflicts -k "$install_dir"
kube wait --for=condition=Established --timeout=2m crd/applications.argoproj.io crd/appprojects.argoproj.io

step "Waiting for Argo CD to be ready"
mapfile -t workloads < <(kube -n "$ARGOCD_NAMESPACE" get deployments,statefulsets -o name)
((${#workloads[@]} > 0)) || die "no Argo CD Deployments or StatefulSets in namespace $ARGOCD_NAMESPACE after the install"
for workload in "${workloads[@]}"; do
  kube -n "$ARGOCD_NAMESPACE" rollout status "$workload" --timeout=10m
done

step "Applications"
if [[ $bootstrap == false ]]; then
  echo "Skipped (--no-bootstrap): run 'npm run cluster:up' again to apply them."
elif [[ -n $repo_url || -n $revision ]]; then
  override=()
  if [[ -n $repo_url ]]; then override+=(--repo-url "$repo_url"); fi
  if [[ -n $revision ]]; then override+=(--revision "$revision"); fi
  echo "Tracking ${repo_url:-$GIT_REPO_URL} at ${revision:-$GIT_REVISION}, without the root Application."
  print_objects=(run_ts "$REPO_ROOT/clusters/minikube/bootstrap.ts" "${override[@]}")
  # Nothing orders the sync waves without the root Application, so apply one
  # wave at a time, each wave's Applications Healthy before the next: a pod
  # created before Dapr's sidecar injector runs would start without its
  # sidecar. The last wave (the environments, which need their Secrets and
  # images first) is not waited for.
  mapfile -t waves < <("${print_objects[@]}" --list-waves)
  ((${#waves[@]} > 0)) || die "clusters/minikube/bootstrap.ts printed no sync waves"
  for ((i = 0; i < ${#waves[@]}; i++)); do
    wave=${waves[i]}
    applied="$("${print_objects[@]}" --wave "$wave" | kube apply -f - -o name)"
    printf '%s\n' "$applied"
    applications=()
    for object in $applied; do
      if [[ $object == application.argoproj.io/* ]]; then applications+=("$object"); fi
    done
    if ((i + 1 < ${#waves[@]} && ${#applications[@]} > 0)); then
      echo "Waiting for sync wave $wave to be Healthy before wave ${waves[i + 1]}: ${applications[*]#*/}"
      kube -n "$ARGOCD_NAMESPACE" wait --for=jsonpath='{.status.health.status}'=Healthy --timeout=15m "${applications[@]}" ||
        die "sync wave $wave did not become Healthy within 15m, so the later waves were not applied.
  See why: kubectl --context $CLUSTER_PROFILE -n $ARGOCD_NAMESPACE get applications.argoproj.io; then run cluster:up again."
    fi
  done
else
  kube apply -f "$REPO_ROOT/argocd/bootstrap/"
fi

# From the profile's driver and runtime (clusters/minikube/profile.ts): the
# node's address, or minikube tunnel and 127.0.0.1 where the driver cannot
# reach the node (Docker Desktop on macOS and Windows, WSL, rootless); and a
# warning on stderr for cri-o, whose ingress addon runs on the host network,
# where the NetworkPolicies cannot tell its traffic apart.
read -ra hosts <<<"$INGRESS_HOSTS"
hosts_hint="$(run_ts "$REPO_ROOT/clusters/minikube/profile.ts" hints "$CLUSTER_PROFILE" "${hosts[@]}")"
cat <<HINTS

Argo CD is ready in Minikube profile $CLUSTER_PROFILE, tracking ${repo_url:-$GIT_REPO_URL} at ${revision:-$GIT_REVISION}.

Open the UI (user: admin), then browse to http://localhost:8080:
  kubectl --context $CLUSTER_PROFILE -n $ARGOCD_NAMESPACE port-forward svc/argocd-server 8080:80

Initial admin password:
  kubectl --context $CLUSTER_PROFILE -n $ARGOCD_NAMESPACE get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d; echo

$hosts_hint

Each environment needs its Secrets and images before its first sync can
finish (README: "Secrets", "Images"). Watch progress: npm run cluster:status
HINTS
if [[ -n $cni_warning ]]; then printf '\n%s: %s\n' "$SCRIPT_NAME" "$cni_warning" >&2; fi
