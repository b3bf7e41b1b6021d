# Engine settings for the runs kube-access's own harness makes: the demo
# (scripts/demo.sh), the local cluster (tools/local-cluster.sh) and the tests.
# Not for a shell you use with your own stacks: use tools/env.sh there.
#
# On top of tools/env.sh: the engine runs offline (no update check, no plugin
# downloads, plugins only from beside pulumi and from its plugin cache), and
# runtime files of this checkout go to an ignored folder. It sets no backend and
# no passphrase: each harness workspace gets its own in its own folder
# (test/harness/pulumiWorkspace.ts), so nothing here can reach another stack,
# and a passphrase, backend or stack chosen in the calling shell is dropped.

. "$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Plugins come only from beside the pulumi binary (language host, dynamic provider
# launcher) and from the plugin cache, never from whatever else is on PATH.
export PULUMI_IGNORE_AMBIENT_PLUGINS="${PULUMI_IGNORE_AMBIENT_PLUGINS-true}"
unset PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE PULUMI_STACK
# Runtime files of this checkout (local cluster, demo state) stay in an ignored folder.
export KUBE_ACCESS_RUN_DIR="${KUBE_ACCESS_RUN_DIR:-$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.kube-access}"
