#!/usr/bin/env bash
# End-to-end tests: build (or reuse) the real tools, then run the suites in test/e2e.
# Extra arguments go to jest (e.g. a test file name).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/harness-env.sh

phase() { printf '[e2e] %s\n' "$*"; }
started=$SECONDS
# The renewal test runs the program ahead of the real time with libfaketime.
if ! compgen -G "/usr/lib/*/faketime/libfaketime.so.1" >/dev/null; then
  if [[ $(id -u) == 0 ]]; then
    phase "installing libfaketime (Debian package faketime) for the renewal test"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
  else
    phase "libfaketime is missing: run 'sudo apt-get install faketime' first"; exit 1
  fi
fi
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
