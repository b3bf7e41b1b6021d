# Shared environment for every kube-access script and test that runs real tools.
# Source it: `. tools/env.sh`. It only sets variables; it builds nothing.

_kube_access_tools_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
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
export PATH="$KUBE_ACCESS_PULUMI_BIN:$KUBE_ACCESS_KUBE_BIN:$KUBE_ACCESS_ETCD_BIN:$KUBE_ACCESS_KUBELOGIN_BIN:$PATH"

# The engine runs offline: no update check, no plugin downloads, a local file
# backend and passphrase-encrypted secrets unless the caller chose otherwise.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Plugins come only from beside the pulumi binary (language host, dynamic provider
# launcher) and from the plugin cache, never from whatever else is on PATH.
export PULUMI_IGNORE_AMBIENT_PLUGINS="${PULUMI_IGNORE_AMBIENT_PLUGINS-true}"
export PULUMI_HOME="${PULUMI_HOME:-$KUBE_ACCESS_CACHE/pulumi-home}"
# Runtime files of this checkout (local cluster, demo state) stay in an ignored folder.
export KUBE_ACCESS_RUN_DIR="${KUBE_ACCESS_RUN_DIR:-$(cd "$_kube_access_tools_dir/.." && pwd)/.kube-access}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$KUBE_ACCESS_RUN_DIR/state}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-kube-access-local}"
