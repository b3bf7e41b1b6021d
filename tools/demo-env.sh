# Points this shell at the demo's stack, so the README's commands read it:
# `. tools/demo-env.sh` after `npm run demo`. Also puts the tools on PATH
# (tools/env.sh) and, while the local cluster's files are there, points kubectl
# at that cluster as its admin (KUBECONFIG). Sourcing tools/env.sh later undoes
# the demo part and puts back the backend, passphrase, stack and KUBECONFIG
# this shell had.
#
# The demo's stack `dev` lives in a file backend in .kube-access/demo/state and
# its secrets are encrypted with a random passphrase the demo made for it
# (.kube-access/demo/passphrase). Nothing of this is meant for a stack of yours.

. "$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

_kube_access_demo_dir="${KUBE_ACCESS_RUN_DIR:-$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.kube-access}/demo"
if [[ -f "$_kube_access_demo_dir/passphrase" ]]; then
  # Kept (not exported) for tools/env.sh to put back.
  if [[ -z "${KUBE_ACCESS_DEMO_SHELL:-}" ]]; then
    for _kube_access_v in PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE PULUMI_STACK KUBECONFIG; do
      if eval "[ -n \"\${$_kube_access_v+set}\" ]"; then
        eval "_kube_access_before_demo_$_kube_access_v=\"\$$_kube_access_v\""
      fi
    done
    unset _kube_access_v
  fi
  # A passphrase in the environment would win over the demo's passphrase file.
  unset PULUMI_CONFIG_PASSPHRASE
  export PULUMI_BACKEND_URL="file://$_kube_access_demo_dir/state"
  export PULUMI_CONFIG_PASSPHRASE_FILE="$_kube_access_demo_dir/passphrase"
  export PULUMI_STACK=dev
  # Plain `kubectl` reaches the demo's cluster as its admin; each user's kubeconfig is still given with --kubeconfig.
  if [[ -f "$_kube_access_demo_dir/../cluster/admin.kubeconfig" ]]; then
    KUBECONFIG="$(cd -P "$_kube_access_demo_dir/../cluster" && pwd)/admin.kubeconfig"
    export KUBECONFIG
  fi
  export KUBE_ACCESS_DEMO_SHELL=1
else
  echo "tools/demo-env.sh: no demo stack in $_kube_access_demo_dir yet; run 'npm run demo' first" >&2
fi
unset _kube_access_demo_dir
