#!/usr/bin/env bash
# Builds the real Pulumi engine from Go modules (and one npm file) into the
# version-keyed cache that tools/env.sh puts on PATH, and registers the
# resource providers in the plugin cache under $PULUMI_HOME.
#
#   tools/build-engine.sh                  # everything, in the order below
#   tools/build-engine.sh pulumi tls       # only these tools
#
# Tools: pulumi (CLI), language-nodejs (language host), pulumi-nodejs (dynamic
# provider launcher from the @pulumi/pulumi npm package), policy-launcher (the
# Node.js policy pack launcher, from the same npm package at an older release,
# registered as an analyzer plugin), actionlint (workflow linter, module proxy), the kubernetes, tls and
# keycloak providers, and kubelogin (`kubectl-oidc_login`, on PATH through
# tools/env.sh). tls, keycloak and kubelogin are built from the upstream source
# archives in $KUBE_ACCESS_THIRD_PARTY (../shared/third_party beside the clone);
# everything else comes from the module proxy and npm. Each tool built is
# stamped with its version; a re-run prints one "ready" line per tool.
# A failing tool is reported (tool, step, log file) and the others still run;
# the script exits non-zero if any tool failed. See docs/engine.md.
set -euo pipefail

tools_dir=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$tools_dir/env.sh"
. "$tools_dir/engine/modules.sh"

ALL_TOOLS=(pulumi language-nodejs pulumi-nodejs policy-launcher kubernetes tls keycloak kubelogin actionlint)
WORK_DIR="$KUBE_ACCESS_CACHE/engine-build"   # writable copies of module sources
LOG_DIR="$KUBE_ACCESS_CACHE/logs"
mkdir -p "$WORK_DIR" "$LOG_DIR" "$KUBE_ACCESS_PULUMI_BIN" "$KUBE_ACCESS_PLUGIN_BIN"
# actionlint lives outside PATH; tools/actionlint.sh runs it.
KUBE_ACCESS_ACTIONLINT="$KUBE_ACCESS_CACHE/actionlint-$ACTIONLINT_VERSION/bin/actionlint"

# Upstream release flags: static, no VCS stamping, pure-Go user lookup.
export CGO_ENABLED=0
GO_BUILD_FLAGS=(-trimpath -buildvcs=false -tags osusergo,grpcnotrace)

TOOL=""  # current tool, for messages
LOG=""   # current tool's log file

say() { echo "[engine] $TOOL${TOOL:+: }$*"; }

# step NAME CMD...: run CMD with its output in $LOG; on failure name the tool,
# the step and the log, and end the current tool (its subshell).
step() {
  local name=$1; shift
  say "$name"
  echo "=== $(date -u +%FT%TZ) $TOOL: $name: $*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    say "FAILED at step '$name'"
    sed 's/^/[engine]   | /' < <(tail -n 15 "$LOG")
    say "full log: $LOG"
    exit 1
  fi
}

# begin TOOL VERSION: start a tool's section and its log.
begin() {
  TOOL=$1
  LOG="$LOG_DIR/$1-$2.log"
  : >"$LOG"
}

in_dir() { (cd "$1" && shift && "$@"); }

# stamped FILE "TOOL VERSION": FILE is installed and its stamp ("TOOL VERSION
# SOURCE...") names that tool and version.
stamped() { [[ -x $1 && -f $1.stamp && "$(cat "$1.stamp") " == "$2 "* ]]; }

# on_path NAME: first NAME on PATH outside this cache (for adopting an
# existing install), or nothing.
on_path() {
  local dir IFS=:
  for dir in $PATH; do
    [[ -n $dir && $dir != "$KUBE_ACCESS_PULUMI_BIN" && $dir != "$KUBE_ACCESS_PLUGIN_BIN"* ]] || continue
    if [[ -x $dir/$1 && ! -d $dir/$1 ]]; then echo "$dir/$1"; return 0; fi
  done
  return 0
}

# module_dir MODULE@VERSION: fetch the module through the module proxy and
# print its directory in the module cache (read-only).
module_dir() {
  local json dir
  json=$(go mod download -json "$1") || { echo "$json"; return 1; }
  dir=$(sed -n 's/^\t"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  [[ -n $dir && -d $dir ]] || { echo "$json"; return 1; }
  echo "$dir"
}

# copy_module MODULE@VERSION DEST: writable copy of a module's source.
copy_module() {
  local src
  src=$(module_dir "$1") || { echo "$src"; return 1; }
  rm -rf "$2"
  mkdir -p "$(dirname "$2")"
  cp -r "$src" "$2"
  chmod -R u+w "$2"
}

check_version_output() { # CMD EXPECTED...: CMD's output contains EXPECTED
  local want=$1 out; shift
  out=$("$@" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  grep -qF -- "$want" <<<"$out" || { echo "expected '$want'"; return 1; }
}

install_file() { # SRC DEST STAMP
  mkdir -p "$(dirname "$2")"
  chmod +x "$1"
  mv -f "$1" "$2"
  echo "$3" >"$2.stamp"
}

# --- engine CLI -----------------------------------------------------------

build_pulumi() {
  local v=$PULUMI_VERSION dest=$KUBE_ACCESS_PULUMI_BIN/pulumi mod=$tools_dir/engine/pulumi
  local stamp="pulumi $v $PULUMI_COMMIT" found
  begin pulumi "$v"
  if stamped "$dest" "pulumi $v"; then say "$v ready"; return 0; fi
  found=$(on_path pulumi)
  if [[ -n $found && "$("$found" version 2>/dev/null)" == "v$v" ]]; then
    # Same release already installed: use that binary as is (copied, so the
    # bundled plugins are found beside it).
    step "using $found" cp -p "$found" "$dest.tmp"
    install_file "$dest.tmp" "$dest" "pulumi $v from $found"
    return 0
  fi
  say "$v: building"
  step "checking the wrapper module pins v$v" \
    check_version_output "github.com/pulumi/pulumi/pkg/v3 v$v" \
    in_dir "$mod" go list -mod=readonly -m github.com/pulumi/pulumi/pkg/v3
  step "downloading modules" in_dir "$mod" go mod download
  step "go build" in_dir "$mod" go build -mod=readonly "${GO_BUILD_FLAGS[@]}" \
    -ldflags "-s -w -X $ENGINE_VERSION_LDFLAG=v$v" -o "$dest.tmp" "$ENGINE_PULUMI_PKG"
  step "checking 'pulumi version'" check_version_output "v$v" "$dest.tmp" version
  install_file "$dest.tmp" "$dest" "$stamp"
  say "$v: installed $dest"
}

# --- Node.js language host ------------------------------------------------

build_language-nodejs() {
  local v=$PULUMI_LANGUAGE_NODEJS_VERSION dest=$KUBE_ACCESS_PULUMI_BIN/pulumi-language-nodejs
  local mod=$tools_dir/engine/language-nodejs stamp="language-nodejs $PULUMI_LANGUAGE_NODEJS_VERSION sdk/v3"
  begin language-nodejs "$v"
  if stamped "$dest" "language-nodejs $v"; then say "$v ready"; return 0; fi
  say "$v: building"
  step "checking the wrapper module pins sdk/v3 v$v" \
    check_version_output "github.com/pulumi/pulumi/sdk/v3 v$v" \
    in_dir "$mod" go list -mod=readonly -m github.com/pulumi/pulumi/sdk/v3
  step "downloading modules" in_dir "$mod" go mod download
  step "go build" in_dir "$mod" go build -mod=readonly "${GO_BUILD_FLAGS[@]}" \
    -ldflags "-s -w -X $ENGINE_VERSION_LDFLAG=v$v" -o "$dest.tmp" "$ENGINE_LANGHOST_PKG"
  install_file "$dest.tmp" "$dest" "$stamp"
  say "$v: installed $dest"
}

# --- dynamic provider launcher (npm) --------------------------------------

fetch_dynamic_launcher() { # DEST.tmp
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@pulumi/pulumi@$PULUMI_VERSION" >/dev/null)
  tar -xzf "$tmp"/pulumi-pulumi-"$PULUMI_VERSION".tgz -C "$tmp" \
    package/package.json package/pulumi-resource-pulumi-nodejs
  grep -q "\"version\": \"$PULUMI_VERSION\"" "$tmp/package/package.json"
  cp "$tmp/package/pulumi-resource-pulumi-nodejs" "$1"
  rm -rf "$tmp"
}

# Pulumi's launcher is installed as <plugin>.sdk, behind kube-access's own
# (tools/engine/pulumi-nodejs/launcher.sh: the NODE_OPTIONS a released CLI
# would give the dynamic providers' host).
build_pulumi-nodejs() {
  local v=$PULUMI_VERSION dest=$KUBE_ACCESS_PULUMI_BIN/pulumi-resource-pulumi-nodejs
  local launcher=$tools_dir/engine/pulumi-nodejs/launcher.sh
  local sdk_stamp="pulumi-nodejs $v npm"
  local stamp="$sdk_stamp launcher-$(cksum <"$launcher" | cut -d' ' -f1)"
  begin pulumi-nodejs "$v"
  if stamped "$dest" "$stamp" && stamped "$dest.sdk" "$sdk_stamp"; then say "$v ready"; return 0; fi
  step "fetching from npm @pulumi/pulumi@$v" fetch_dynamic_launcher "$dest.sdk.tmp"
  install_file "$dest.sdk.tmp" "$dest.sdk" "$sdk_stamp"
  cp "$launcher" "$dest.tmp"
  install_file "$dest.tmp" "$dest" "$stamp"
  say "$v: installed $dest"
}

# --- Node.js policy pack launcher (npm) ------------------------------------

# The 3.248.0 CLI runs a `runtime: nodejs` policy pack through the language
# host's RunPlugin, which the 3.68.0 host answers "not supported". For a
# runtime without a language host it starts the analyzer plugin
# policy-<runtime> instead, with the engine address and the pack folder, in
# the pack folder: what the npm launcher does. test/harness/policyPack.ts links
# a pack into a folder that names $PULUMI_POLICY_LAUNCHER_RUNTIME.
fetch_policy_launcher() { # DEST.tmp
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@pulumi/pulumi@$PULUMI_POLICY_LAUNCHER_VERSION" >/dev/null)
  tar -xzf "$tmp"/pulumi-pulumi-"$PULUMI_POLICY_LAUNCHER_VERSION".tgz -C "$tmp" \
    package/package.json package/pulumi-analyzer-policy
  grep -q "\"version\": \"$PULUMI_POLICY_LAUNCHER_VERSION\"" "$tmp/package/package.json"
  cp "$tmp/package/pulumi-analyzer-policy" "$1"
  rm -rf "$tmp"
}

analyzer_registered() { # NAME VERSION
  "$KUBE_ACCESS_PULUMI_BIN/pulumi" plugin ls 2>/dev/null |
    awk -v n="$1" -v v="$2" '$1 == n && $2 == "analyzer" && $3 == v { found = 1 } END { exit !found }'
}

build_policy-launcher() {
  local v=$PULUMI_POLICY_LAUNCHER_VERSION dest=$KUBE_ACCESS_PULUMI_BIN/pulumi-analyzer-policy
  local name="policy-$PULUMI_POLICY_LAUNCHER_RUNTIME"
  begin policy-launcher "$v"
  if stamped "$dest" "policy-launcher $v" && analyzer_registered "$name" "$v"; then say "$v ready"; return 0; fi
  if ! stamped "$dest" "policy-launcher $v"; then
    step "fetching from npm @pulumi/pulumi@$v" fetch_policy_launcher "$dest.tmp"
    install_file "$dest.tmp" "$dest" "policy-launcher $v npm"
  fi
  step "finding the pulumi CLI to register with (build 'pulumi' first)" test -x "$KUBE_ACCESS_PULUMI_BIN/pulumi"
  step "registering analyzer $name in $PULUMI_HOME" \
    "$KUBE_ACCESS_PULUMI_BIN/pulumi" plugin install analyzer "$name" "$v" -f "$dest" --reinstall
  step "checking 'pulumi plugin ls'" analyzer_registered "$name" "$v"
  say "$v: installed $dest, registered as analyzer $name"
}

# --- actionlint --------------------------------------------------------------

build_actionlint() {
  local v=$ACTIONLINT_VERSION dest=$KUBE_ACCESS_ACTIONLINT
  begin actionlint "$v"
  if stamped "$dest" "actionlint $v"; then say "$v ready"; return 0; fi
  say "$v: building (log $LOG)"
  mkdir -p "$(dirname "$dest")"
  step "go install github.com/rhysd/actionlint/cmd/actionlint@v$v" \
    env GOBIN="$WORK_DIR/actionlint-$v" go install "${GO_BUILD_FLAGS[@]}" \
    -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@v$v"
  step "checking 'actionlint -version'" check_version_output "$v" "$WORK_DIR/actionlint-$v/actionlint" -version
  install_file "$WORK_DIR/actionlint-$v/actionlint" "$dest" "actionlint $v proxy"
  rm -rf "$WORK_DIR/actionlint-$v"
  say "$v: installed $dest"
}

# --- resource providers ---------------------------------------------------

# The kubernetes provider comes from the module proxy; its go.mod points the Go
# SDK at ../sdk, so pin the released one instead.
source_kubernetes() { # SRC
  step "fetching $ENGINE_KUBERNETES_MODULE@$ENGINE_KUBERNETES_MODVER" \
    copy_module "$ENGINE_KUBERNETES_MODULE@$ENGINE_KUBERNETES_MODVER" "$1"
  step "fixing go.mod" in_dir "$1" go mod edit -dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4 \
    -require="github.com/pulumi/pulumi-kubernetes/sdk/v4@v$PULUMI_KUBERNETES_VERSION"
  step "resolving dependencies" in_dir "$1" go mod tidy
  # main.go embeds schema-embed.json and terraform-mapping-embed.json, made by
  # the module's own generate.go.
  step "generating embedded files" \
    in_dir "$1/cmd/pulumi-resource-kubernetes" env VERSION="$PULUMI_KUBERNETES_VERSION" go generate .
}

# unpack_third_party ARCHIVE SHA256 DEST: the upstream source archive from
# $KUBE_ACCESS_THIRD_PARTY, checked against its pinned digest, unpacked into DEST.
unpack_third_party() {
  local archive=$KUBE_ACCESS_THIRD_PARTY/$1
  if [[ ! -f $archive ]]; then
    echo "missing source archive $archive (set KUBE_ACCESS_THIRD_PARTY to the folder that holds it)"
    return 1
  fi
  echo "$2  $archive" | sha256sum -c --quiet - || { echo "$archive does not match the pinned SHA-256 in tools/versions.sh"; return 1; }
  rm -rf "$3"
  mkdir -p "$3"
  tar -xzf "$archive" -C "$3"
}

# embed_schema CMD_DIR VERSION: schema-embed.json is schema.json with its
# top-level version set (what the provider's own generate.go does).
embed_schema() {
  node -e 'const fs = require("fs"); const s = JSON.parse(fs.readFileSync(process.argv[1] + "/schema.json", "utf8"));
s.version = process.argv[2]; fs.writeFileSync(process.argv[1] + "/schema-embed.json", JSON.stringify(s));' "$1" "$2"
}

# tls: the provider code as released, with the three module pins moved that
# tools/engine/tls/go.mod records (docs/engine.md says which and why).
source_tls() { # SRC
  step "unpacking $PULUMI_TLS_ARCHIVE" unpack_third_party "$PULUMI_TLS_ARCHIVE" "$PULUMI_TLS_ARCHIVE_SHA256" "$1.unpacked"
  mv "$1.unpacked/tls/provider" "$1" && rm -rf "$1.unpacked"
  step "using the pinned go.mod and go.sum (tools/engine/tls)" \
    cp "$tools_dir/engine/tls/go.mod" "$tools_dir/engine/tls/go.sum" "$1/"
  step "using the pinned shim go.mod and go.sum (tools/engine/tls/shim)" \
    cp "$tools_dir/engine/tls/shim/go.mod" "$tools_dir/engine/tls/shim/go.sum" "$1/shim/"
  step "generating embedded files" embed_schema "$1/cmd/pulumi-resource-tls" "$PULUMI_TLS_VERSION"
}

# keycloak: provider and upstream Terraform provider side by side, as released.
source_keycloak() { # SRC
  step "unpacking $PULUMI_KEYCLOAK_ARCHIVE" unpack_third_party "$PULUMI_KEYCLOAK_ARCHIVE" "$PULUMI_KEYCLOAK_ARCHIVE_SHA256" "$1.unpacked"
  mv "$1.unpacked/keycloak" "$1.tree" && rm -rf "$1.unpacked"
  # No `go mod download`: go.mod lists modules only its code generators use,
  # and some of those are not served here; `go build` fetches what it needs.
  step "generating embedded files" embed_schema "$1.tree/provider/cmd/pulumi-resource-keycloak" "$PULUMI_KEYCLOAK_VERSION"
  mv "$1.tree" "$1"
}

provider_main_dir() { # NAME SRC: the Go module that holds ./cmd/pulumi-resource-NAME
  if [[ $1 == keycloak ]]; then echo "$2/provider"; else echo "$2"; fi
}

plugin_registered() { # NAME VERSION
  "$KUBE_ACCESS_PULUMI_BIN/pulumi" plugin ls 2>/dev/null |
    awk -v n="$1" -v v="$2" '$1 == n && $2 == "resource" && $3 == v { found = 1 } END { exit !found }'
}

build_provider() { # NAME
  local name=$1 upper
  upper=$(tr a-z A-Z <<<"$name")
  local v_var="PULUMI_${upper}_VERSION" c_var="PULUMI_${upper}_COMMIT" x_var="ENGINE_${upper}_VERSION_VAR"
  local v=${!v_var} commit=${!c_var} xvar=${!x_var}
  local dest=$KUBE_ACCESS_PLUGIN_BIN/$name-$v/pulumi-resource-$name
  local src=$WORK_DIR/$name-$v stamp="$name $v $commit"
  begin "$name" "$v"
  if stamped "$dest" "$name $v" && plugin_registered "$name" "$v"; then say "$v ready"; return 0; fi
  if ! stamped "$dest" "$name $v"; then
    say "$v: building (log $LOG)"
    rm -rf "$src" "$src.tree" "$src.unpacked"
    "source_$name" "$src"
    step "go build" in_dir "$(provider_main_dir "$name" "$src")" go build -mod=readonly "${GO_BUILD_FLAGS[@]}" \
      -ldflags "-s -w -X $xvar=$v" -o "$dest.tmp" "./cmd/pulumi-resource-$name"
    install_file "$dest.tmp" "$dest" "$stamp"
    rm -rf "$src"
  fi
  step "finding the pulumi CLI to register with (build 'pulumi' first)" test -x "$KUBE_ACCESS_PULUMI_BIN/pulumi"
  step "registering in $PULUMI_HOME" \
    "$KUBE_ACCESS_PULUMI_BIN/pulumi" plugin install resource "$name" "$v" -f "$dest" --reinstall
  step "checking 'pulumi plugin ls'" plugin_registered "$name" "$v"
  say "$v: installed $dest, registered"
}
build_tls() { build_provider tls; }
build_kubernetes() { build_provider kubernetes; }
build_keycloak() { build_provider keycloak; }

# --- kubelogin (kubectl oidc-login) ----------------------------------------

build_kubelogin() {
  local v=$KUBELOGIN_VERSION dest=$KUBE_ACCESS_KUBELOGIN_BIN/kubectl-oidc_login src=$WORK_DIR/kubelogin-$KUBELOGIN_VERSION
  begin kubelogin "$v"
  if stamped "$dest" "kubelogin $v"; then say "$v ready"; return 0; fi
  say "$v: building (log $LOG)"
  step "unpacking $KUBELOGIN_ARCHIVE" unpack_third_party "$KUBELOGIN_ARCHIVE" "$KUBELOGIN_ARCHIVE_SHA256" "$src"
  step "downloading modules" in_dir "$src/kubelogin" go mod download
  step "go build" in_dir "$src/kubelogin" go build -mod=readonly "${GO_BUILD_FLAGS[@]}" \
    -ldflags "-s -w -X main.version=v$v" -o "$dest.tmp" .
  step "checking 'kubectl-oidc_login --version'" check_version_output "v$v" "$dest.tmp" --version
  install_file "$dest.tmp" "$dest" "kubelogin $v $KUBELOGIN_COMMIT"
  rm -rf "$src"
  say "$v: installed $dest"
}

# --- main -------------------------------------------------------------------

tools=("$@")
((${#tools[@]})) || tools=("${ALL_TOOLS[@]}")
for t in "${tools[@]}"; do
  [[ " ${ALL_TOOLS[*]} " == *" $t "* ]] || { echo "[engine] unknown tool '$t' (known: ${ALL_TOOLS[*]})" >&2; exit 2; }
done

failed=()
for t in "${tools[@]}"; do
  start=$SECONDS
  set +e
  (set -e; "build_$t")
  rc=$?
  set -e
  if [[ $rc != 0 ]]; then
    echo "[engine] $t: FAILED after $((SECONDS - start))s"
    failed+=("$t")
  elif ((SECONDS - start > 5)); then
    echo "[engine] $t: done in $((SECONDS - start))s"
  fi
done

if ((${#failed[@]})); then
  echo "[engine] failed: ${failed[*]} (logs in $LOG_DIR)"
  exit 1
fi
