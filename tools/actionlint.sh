#!/usr/bin/env bash
# Lints the GitHub Actions workflows in .github/workflows with actionlint,
# built (once, cached by version) by tools/build-engine.sh from the Go module proxy.
set -euo pipefail
cd -P "$(dirname "$0")/.."
. tools/versions.sh
bin="${KUBE_ACCESS_CACHE:-$HOME/.cache/kube-access}/actionlint-$ACTIONLINT_VERSION/bin/actionlint"
[[ -x $bin ]] || bash tools/build-engine.sh actionlint >&2
exec "$bin" -no-color .github/workflows/*.yml
