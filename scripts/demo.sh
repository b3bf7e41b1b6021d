#!/usr/bin/env bash
# The main job on a self-contained local default: build (or reuse) the tools,
# start a local control plane and Keycloak, and onboard the users of
# Pulumi.dev.yaml to it with `pulumi up`. Safe to re-run; `npm run demo:stop`
# stops the local cluster.
set -euo pipefail
cd -P "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-fund --no-audit
. tools/harness-env.sh
echo "[demo] tools: the Pulumi engine and providers, then the control plane and Keycloak (cached under $KUBE_ACCESS_CACHE)"
bash tools/build-engine.sh
bash tools/build-cluster.sh
exec npx ts-node --transpile-only scripts/demo.ts "$@"
