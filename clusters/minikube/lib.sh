# shellcheck shell=bash
# Shared by up.sh, down.sh and status.sh (sourced, not run). The caller sets
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
    die "could not read the cluster facts (clusters/minikube/facts.ts failed, see above)"
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

require_cluster() {
  local answer
  if ! answer="$(kube get --raw /readyz --request-timeout=10s 2>&1)"; then
    die "cannot reach the cluster through kubectl context '$CLUSTER_PROFILE': ${answer%%$'\n'*}
  Is Minikube running? 'minikube -p $CLUSTER_PROFILE status' tells; 'npm run cluster:up' starts it."
  fi
}
