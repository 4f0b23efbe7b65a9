# shellcheck shell=bash
# Shared by up.sh, down.sh, status.sh and diagnostics.sh (sourced, not run). The caller sets
# SCRIPT_NAME (for messages) and defines usage().

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Node runs the TypeScript helpers directly (type stripping, unflagged since 22.18).
MIN_NODE_VERSION=22.19.0

die() {
  printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

usage_error() {
  printf '%s: %s\n\n' "$SCRIPT_NAME" "$*" >&2
  usage >&2
  exit 2
}

step() {
  printf '\n==> %s\n' "$*"
}

install_hint() {
  case $1 in
    minikube) echo "install it: https://minikube.sigs.k8s.io/docs/start/" ;;
    kubectl) echo "install it: https://kubernetes.io/docs/tasks/tools/" ;;
    docker) echo "install it: https://docs.docker.com/engine/install/" ;;
    node) echo "install Node.js $MIN_NODE_VERSION or later (24 LTS is tested): https://nodejs.org/" ;;
    *) echo "install it" ;;
  esac
}

# Fails naming every command in "$@" that is not on PATH, not just the first.
require_commands() {
  local missing=() command
  for command in "$@"; do
    command -v "$command" >/dev/null 2>&1 || missing+=("$command")
  done
  if ((${#missing[@]} > 0)); then
    for command in "${missing[@]}"; do
      printf '%s: %s is not on PATH: %s\n' "$SCRIPT_NAME" "$command" "$(install_hint "$command")" >&2
    done
    exit 1
  fi
}

# Node on PATH, new enough to run TypeScript, and the repository's packages installed.
require_node() {
  require_commands node
  node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    const [needMajor, needMinor] = process.argv[1].split(".").map(Number);
    process.exit(major > needMajor || (major === needMajor && minor >= needMinor) ? 0 : 1);
  ' "$MIN_NODE_VERSION" ||
    die "Node.js $(node --version) is too old: $(install_hint node)"
  [[ -d $REPO_ROOT/node_modules ]] || die "$REPO_ROOT/node_modules is missing: run 'npm ci' in $REPO_ROOT first"
}

# Runs one of the repository's TypeScript entry points (see generator/testing/node.ts for the
# flag), with Node's compile cache in .cache/ (as the generator's launcher keeps it): each run
# then skips compiling the modules it loads again, about half of its start.
run_ts() {
  NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$REPO_ROOT/.cache/node-compile}" node --disable-warning=DEP0040 "$@"
}

# Sets CLUSTER_PROFILE, CLUSTER_KUBERNETES_VERSION, CLUSTER_CPUS,
# CLUSTER_MEMORY_MIB, CLUSTER_ADDONS, CLUSTER_CNI, CLUSTER_CNI_NAMESPACE,
# CLUSTER_CNI_DAEMONSET, GIT_REPO_URL, GIT_REPO_URL_IS_PLACEHOLDER, GIT_REVISION,
# ARGOCD_NAMESPACE, ENVIRONMENTS, NAMESPACES and INGRESS_HOSTS from cluster.ts and the
# environments, so that no script restates them.
load_facts() {
  local facts
  require_node
  facts="$(run_ts "$REPO_ROOT/clusters/minikube/facts.ts")" ||
    die "stopped before changing anything: the settings it reads (clusters/minikube/cluster.ts and every environments/<env>.ts) do not load; the problem is printed above"
  eval "$facts"
}

# kubectl, always against the profile's own context: never whatever cluster
# the current context happens to point at.
kube() {
  kubectl --context "$CLUSTER_PROFILE" "$@"
}

# Prints "<host>/<apiserver>" (e.g. Running/Running, Stopped/Stopped) for the
# profile, or "Nonexistent" when minikube knows no such profile.
minikube_state() {
  local state
  state="$(minikube -p "$CLUSTER_PROFILE" status --format '{{.Host}}/{{.APIServer}}' 2>/dev/null)" || true
  if [[ $state =~ ^[A-Za-z]+/[A-Za-z]+$ ]]; then
    printf '%s\n' "$state"
  else
    echo Nonexistent
  fi
}

# The first line of "$1" that is not blank (tools often start an error with an empty line).
first_line() {
  local line
  while IFS= read -r line; do
    if [[ -n ${line//[[:space:]]/} ]]; then
      printf '%s\n' "$line"
      return
    fi
  done <<<"$1"
}

# What to do about a cluster that does not answer: ask minikube, or first install it.
start_hint() {
  if command -v minikube >/dev/null 2>&1; then
    echo "Is Minikube running? 'minikube -p $CLUSTER_PROFILE status' tells; 'npm run cluster:up' starts it."
  else
    echo "minikube is not on PATH here ($(install_hint minikube)); then 'npm run cluster:up' creates and starts the cluster."
  fi
}

# kubectl knows the profile's context: minikube adds it when it first starts the profile.
require_context() {
  if ! kubectl config get-contexts "$CLUSTER_PROFILE" -o name >/dev/null 2>&1; then
    die "kubectl has no context '$CLUSTER_PROFILE': the cluster was never started on this machine, or KUBECONFIG names another file.
  $(start_hint)"
  fi
}

require_cluster() {
  local answer
  require_context
  if ! answer="$(kube get --raw /readyz --request-timeout=10s 2>&1)"; then
    die "cannot reach the cluster through kubectl context '$CLUSTER_PROFILE': $(first_line "$answer")
  $(start_hint)"
  fi
}

# The docker driver runs the node as a container of the local Docker engine, so
# Docker must answer before minikube can start (or restart) anything. minikube's
# own check asks the same (kubernetes/minikube pkg/minikube/registry/drvs/docker/docker.go,
# status(): `docker version`, then `docker info`). $1: why the docker driver.
require_docker() {
  local answer
  command -v docker >/dev/null 2>&1 ||
    die "the docker driver is used ($1), but docker is not on PATH: $(install_hint docker)"
  if ! answer="$(docker info --format '{{.ServerVersion}}' 2>&1)"; then
    die "the docker driver is used ($1), but Docker does not answer: $(first_line "$answer")
  Start Docker (Docker Desktop, or 'sudo systemctl start docker'), then run npm run cluster:up again."
  fi
}
