#!/usr/bin/env bash
# Builds the real Pulumi engine from Go modules (and one npm file) into the
# version-keyed cache that tools/env.sh puts on PATH, and registers the
# resource providers in the plugin cache under $PULUMI_HOME.
#
#   tools/build-engine.sh                  # everything, in the order below
#   tools/build-engine.sh pulumi tls       # only these tools
#
# Tools: pulumi (CLI), language-nodejs (language host), pulumi-nodejs (dynamic
# provider launcher from the @pulumi/pulumi npm package), tls, kubernetes,
# keycloak. Each tool built is stamped with its version; a re-run skips it.
# A failing tool is reported (tool, step, log file) and the others still run;
# the script exits non-zero if any tool failed. See docs/engine.md.
set -euo pipefail

tools_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$tools_dir/env.sh"
. "$tools_dir/engine/modules.sh"

ALL_TOOLS=(pulumi language-nodejs pulumi-nodejs kubernetes tls keycloak)
# Tools the module proxy here does not serve (403 for every version): tried,
# and reported as unavailable, but their failure does not fail the script.
OPTIONAL_TOOLS=(tls keycloak)
WORK_DIR="$KUBE_ACCESS_CACHE/engine-build"   # writable copies of module sources
LOG_DIR="$KUBE_ACCESS_CACHE/logs"
mkdir -p "$WORK_DIR" "$LOG_DIR" "$KUBE_ACCESS_PULUMI_BIN" "$KUBE_ACCESS_PLUGIN_BIN"

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
  if stamped "$dest" "pulumi $v"; then say "$v already built"; return 0; fi
  found=$(on_path pulumi)
  if [[ -n $found ]] && "$found" version 2>/dev/null | grep -qx "v$v"; then
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
  if stamped "$dest" "language-nodejs $v"; then say "$v already built"; return 0; fi
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

build_pulumi-nodejs() {
  local v=$PULUMI_VERSION dest=$KUBE_ACCESS_PULUMI_BIN/pulumi-resource-pulumi-nodejs
  local stamp="pulumi-nodejs $v npm"
  begin pulumi-nodejs "$v"
  if stamped "$dest" "pulumi-nodejs $v"; then say "$v already installed"; return 0; fi
  step "fetching from npm @pulumi/pulumi@$v" fetch_dynamic_launcher "$dest.tmp"
  install_file "$dest.tmp" "$dest" "$stamp"
  say "$v: installed $dest"
}

# --- resource providers ---------------------------------------------------

# Provider-specific source fixes, run in the writable module copy.
fix_kubernetes() { # go.mod points the Go SDK at ../sdk; pin the released one.
  go mod edit -dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4 \
    -require="github.com/pulumi/pulumi-kubernetes/sdk/v4@v$PULUMI_KUBERNETES_VERSION"
}
fix_tls() { # ./shim is a nested module, so it is not in the module zip: recreate it.
  mkdir -p shim
  cat >shim/go.mod <<'EOF'
module github.com/hashicorp/terraform-provider-tls/shim

go 1.25

require github.com/hashicorp/terraform-provider-tls v1.2.1-0.20260513075833-609226f53114
EOF
  cat >shim/shim.go <<'EOF'
// Package shim exposes the upstream provider, whose package is internal.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	upstream "github.com/hashicorp/terraform-provider-tls/internal/provider"
)

func NewProvider() provider.Provider { return upstream.New() }
EOF
  (cd shim && go mod tidy)
}
fix_keycloak() { # ../upstream is a git submodule: use the upstream module at that commit.
  go mod edit -replace="github.com/keycloak/terraform-provider-keycloak=github.com/keycloak/terraform-provider-keycloak@v0.0.0-20260731124423-${TERRAFORM_PROVIDER_KEYCLOAK_COMMIT:0:12}"
}

plugin_registered() { # NAME VERSION
  "$KUBE_ACCESS_PULUMI_BIN/pulumi" plugin ls 2>/dev/null |
    awk -v n="$1" -v v="$2" '$1 == n && $2 == "resource" && $3 == v { found = 1 } END { exit !found }'
}

build_provider() { # NAME
  local name=$1 upper
  upper=$(tr a-z A-Z <<<"$name")
  local v_var="PULUMI_${upper}_VERSION" c_var="PULUMI_${upper}_COMMIT"
  local m_var="ENGINE_${upper}_MODULE" mv_var="ENGINE_${upper}_MODVER" x_var="ENGINE_${upper}_VERSION_VAR"
  local v=${!v_var} commit=${!c_var} module=${!m_var} modver=${!mv_var} xvar=${!x_var}
  local dest=$KUBE_ACCESS_PLUGIN_BIN/$name-$v/pulumi-resource-$name
  local src=$WORK_DIR/$name-$v stamp="$name $v $commit"
  begin "$name" "$v"
  if stamped "$dest" "$name $v" && plugin_registered "$name" "$v"; then say "$v already built and registered"; return 0; fi
  if ! stamped "$dest" "$name $v"; then
    say "$v: building"
    step "fetching $module@$modver" copy_module "$module@$modver" "$src"
    step "fixing go.mod" in_dir "$src" "fix_$name"
    step "resolving dependencies" in_dir "$src" go mod tidy
    # main.go embeds schema-embed.json (and, for kubernetes,
    # terraform-mapping-embed.json), made by the module's own generate.go.
    step "generating embedded files" \
      in_dir "$src/cmd/pulumi-resource-$name" env VERSION="$v" go generate .
    step "go build" in_dir "$src" go build "${GO_BUILD_FLAGS[@]}" \
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

# --- main -------------------------------------------------------------------

tools=("$@")
((${#tools[@]})) || tools=("${ALL_TOOLS[@]}")
for t in "${tools[@]}"; do
  [[ " ${ALL_TOOLS[*]} " == *" $t "* ]] || { echo "[engine] unknown tool '$t' (known: ${ALL_TOOLS[*]})" >&2; exit 2; }
done

failed=()
unavailable=()
for t in "${tools[@]}"; do
  start=$SECONDS
  set +e
  (set -e; "build_$t")
  rc=$?
  set -e
  if [[ $rc == 0 ]]; then
    echo "[engine] $t: done in $((SECONDS - start))s"
  elif [[ " ${OPTIONAL_TOOLS[*]} " == *" $t "* ]]; then
    echo "[engine] $t: UNAVAILABLE on this machine (see docs/engine.md); stacks that need it cannot run here"
    unavailable+=("$t")
  else
    echo "[engine] $t: FAILED in $((SECONDS - start))s"
    failed+=("$t")
  fi
done

if ((${#failed[@]})); then
  echo "[engine] failed: ${failed[*]} (logs in $LOG_DIR)"
  exit 1
fi
ready=()
for t in "${tools[@]}"; do [[ " ${unavailable[*]} " == *" $t "* ]] || ready+=("$t"); done
echo "[engine] ready: ${ready[*]}${unavailable[*]:+; unavailable here: ${unavailable[*]}}"
