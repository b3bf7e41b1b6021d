# The tools kube-access builds, for a shell or a script: `. tools/env.sh` puts
# pulumi (with the providers built here in its plugin cache), kubectl, kubelogin
# (`kubectl oidc-login`) and etcd first on PATH. It builds nothing.
#
# It chooses no Pulumi backend, secrets passphrase or stack, and no engine
# settings: those are yours (README, "Using it on an existing cluster"). If this
# shell was pointed at the demo's stack with tools/demo-env.sh, sourcing this
# file points it away again. The demo's and tests' own engine settings are in
# tools/harness-env.sh.

_kube_access_tools_dir=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_kube_access_tools_dir/versions.sh"

# Built tools are cached by version outside the repository, so every clone
# (including CI's fresh one) on this machine reuses them.
export KUBE_ACCESS_CACHE="${KUBE_ACCESS_CACHE:-$HOME/.cache/kube-access}"
export KUBE_ACCESS_PULUMI_BIN="$KUBE_ACCESS_CACHE/pulumi-$PULUMI_VERSION/bin"
export KUBE_ACCESS_KUBE_BIN="$KUBE_ACCESS_CACHE/kubernetes-$KUBERNETES_VERSION/bin"
export KUBE_ACCESS_ETCD_BIN="$KUBE_ACCESS_CACHE/etcd-$ETCD_VERSION/bin"
export KUBE_ACCESS_KEYCLOAK_HOME="$KUBE_ACCESS_CACHE/keycloak-$KEYCLOAK_VERSION"
export KUBE_ACCESS_KUBELOGIN_BIN="$KUBE_ACCESS_CACHE/kubelogin-$KUBELOGIN_VERSION/bin"
# Unmodified upstream sources the module proxy refuses (tls, keycloak, kubelogin).
export KUBE_ACCESS_THIRD_PARTY="${KUBE_ACCESS_THIRD_PARTY:-$(cd "$_kube_access_tools_dir/../.." && pwd)/shared/third_party}"
# Resource providers live in versioned folders, <name>-<version>/pulumi-resource-<name>,
# and are registered in the plugin cache under $PULUMI_HOME by tools/build-engine.sh.
# They are deliberately not on PATH: a provider found on PATH overrides the version
# the SDK asks for and the engine warns about it.
export KUBE_ACCESS_PLUGIN_BIN="$KUBE_ACCESS_CACHE/providers"
# The engine's home: its plugin cache holds the providers built here (and
# `pulumi login` keeps its credentials here). Kept if already set.
export PULUMI_HOME="${PULUMI_HOME:-$KUBE_ACCESS_CACHE/pulumi-home}"
case ":$PATH:" in
  *":$KUBE_ACCESS_PULUMI_BIN:$KUBE_ACCESS_KUBE_BIN:$KUBE_ACCESS_ETCD_BIN:$KUBE_ACCESS_KUBELOGIN_BIN:"*) ;;
  *) export PATH="$KUBE_ACCESS_PULUMI_BIN:$KUBE_ACCESS_KUBE_BIN:$KUBE_ACCESS_ETCD_BIN:$KUBE_ACCESS_KUBELOGIN_BIN:$PATH" ;;
esac

# Undo tools/demo-env.sh: the demo's backend, passphrase, stack and KUBECONFIG stay with the
# demo, and what this shell had before comes back. (eval, not ${!name}: this file
# is also sourced by zsh.)
if [[ -n "${KUBE_ACCESS_DEMO_SHELL:-}" ]]; then
  for _kube_access_v in PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE PULUMI_STACK KUBECONFIG; do
    if eval "[ -n \"\${_kube_access_before_demo_$_kube_access_v+set}\" ]"; then
      eval "export $_kube_access_v=\"\$_kube_access_before_demo_$_kube_access_v\""
      unset "_kube_access_before_demo_$_kube_access_v"
    else
      unset "$_kube_access_v"
    fi
  done
  unset KUBE_ACCESS_DEMO_SHELL _kube_access_v
fi
unset _kube_access_tools_dir
