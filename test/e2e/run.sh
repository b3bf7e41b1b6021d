#!/usr/bin/env bash
# End-to-end tests: build (or reuse) the real tools, then run the suites in test/e2e.
# Extra arguments go to jest (e.g. a test file name).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/env.sh

phase() { printf '[e2e] %s\n' "$*"; }
started=$SECONDS
phase "building or reusing the Pulumi engine and providers (tools/build-engine.sh)"
bash tools/build-engine.sh
phase "engine ready after $((SECONDS - started))s"
cluster_started=$SECONDS
phase "building or reusing etcd, kube-apiserver, kube-controller-manager, kubectl and Keycloak (tools/build-cluster.sh)"
bash tools/build-cluster.sh
phase "cluster tools ready after $((SECONDS - cluster_started))s"
tests_started=$SECONDS
npx jest -c jest.e2e.config.js "$@"
phase "tests took $((SECONDS - tests_started))s; whole run $((SECONDS - started))s"
