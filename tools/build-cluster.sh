#!/usr/bin/env bash
# Builds (or reuses) the local control plane and identity provider used by
# tools/local-cluster.sh: etcd, kube-apiserver, kube-controller-manager and
# kubectl from Go modules, and the Keycloak distribution from Maven Central.
#
# Usage: tools/build-cluster.sh [--quiet] [etcd|kube-apiserver|kube-controller-manager|kubectl|kubernetes|keycloak ...]
#   (no tool named: all of them). Versions come from tools/versions.sh. A warm
#   run prints one line per tool, that it is cached; --quiet leaves those out
#   (only builds and failures are reported). Exit 0 when every tool is ready.
#
# Results are cached by version outside the repository (see tools/env.sh):
#   $KUBE_ACCESS_ETCD_BIN/etcd
#   $KUBE_ACCESS_KUBE_BIN/{kube-apiserver,kube-controller-manager,kubectl}
#   $KUBE_ACCESS_KEYCLOAK_HOME (unpacked keycloak-quarkus-dist)
# Each finished tool leaves a marker next to it, so a re-run only checks the
# markers; an interrupted build starts that one tool again (Go's build cache
# keeps the compiled packages). Build logs: $KUBE_ACCESS_CACHE/logs/cluster/.
set -euo pipefail

repo=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/tools/env.sh"
. "$repo/tools/find-java.sh"

logs="$KUBE_ACCESS_CACHE/logs/cluster"
work="$KUBE_ACCESS_CACHE/build"
mkdir -p "$logs" "$work"

quiet=false
say() { echo "[cluster] $*"; }
say_cached() { $quiet || say "$@"; }
fail() { # tool version step log
  echo "[cluster] $1 $2: FAILED while $3; see $4" >&2
  [[ -f "$4" ]] && tail -n 15 "$4" | sed 's/^/[cluster]   | /' >&2
  exit 1
}
now() { date +%s; }
# need COMMAND WHY HOW: stop with what to install when COMMAND is missing.
need() {
  command -v "$1" >/dev/null || { echo "[cluster] $1 is needed $2 and is not on PATH; install $3" >&2; exit 1; }
}

all_tools=(etcd kube-apiserver kube-controller-manager kubectl keycloak)
want=()
for a in "$@"; do
  case "$a" in
    --quiet) quiet=true ;;
    etcd | kube-apiserver | kube-controller-manager | kubectl | keycloak) want+=("$a") ;;
    kubernetes) want+=(kube-apiserver kube-controller-manager kubectl) ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "[cluster] unknown tool '$a' (known: ${all_tools[*]} kubernetes)" >&2; exit 2 ;;
  esac
done
((${#want[@]})) || want=("${all_tools[@]}")
wants() { local t; for t in "${want[@]}"; do [[ "$t" == "$1" ]] && return 0; done; return 1; }

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"

# --- Keycloak: a download and an unpack, started first and run in the background.
keycloak_marker="$KUBE_ACCESS_KEYCLOAK_HOME/.kube-access-built"
keycloak_log="$logs/keycloak-$KEYCLOAK_VERSION.log"
build_keycloak() {
  local dl="$KUBE_ACCESS_CACHE/downloads" tgz tmp
  tgz="$dl/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
  mkdir -p "$dl"
  if [[ ! -s "$tgz" ]]; then
    # -C: fail on a checksum mismatch instead of warning.
    mvn -B -C -ntp org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" \
      -DoutputDirectory="$dl.tmp" >"$keycloak_log" 2>&1 || { echo "step: download" >>"$keycloak_log"; return 1; }
    mv "$dl.tmp/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" "$tgz"
    rmdir "$dl.tmp" 2>/dev/null || true
  fi
  tmp="$KUBE_ACCESS_CACHE/.unpack-keycloak-$KEYCLOAK_VERSION"
  rm -rf "$tmp" "$KUBE_ACCESS_KEYCLOAK_HOME"
  mkdir -p "$tmp"
  tar -xzf "$tgz" -C "$tmp" >>"$keycloak_log" 2>&1 || { echo "step: unpack" >>"$keycloak_log"; return 1; }
  [[ -x "$tmp/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" ]] || { echo "step: unpack (no bin/kc.sh)" >>"$keycloak_log"; return 1; }
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$KUBE_ACCESS_KEYCLOAK_HOME"
  rmdir "$tmp"
  echo "$KEYCLOAK_VERSION" >"$keycloak_marker"
}
keycloak_pid=
if wants keycloak; then
  if [[ -f "$keycloak_marker" && -x "$KUBE_ACCESS_KEYCLOAK_HOME/bin/kc.sh" ]]; then
    say_cached "keycloak $KEYCLOAK_VERSION: cached ($KUBE_ACCESS_KEYCLOAK_HOME)"
  else
    if [[ -s "$KUBE_ACCESS_CACHE/downloads/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" ]]; then
      say "keycloak $KEYCLOAK_VERSION: unpacking the downloaded distribution (background; log $keycloak_log)"
    else
      say "keycloak $KEYCLOAK_VERSION: downloading from Maven Central and unpacking (background; log $keycloak_log)"
    fi
    if [[ ! -s "$KUBE_ACCESS_CACHE/downloads/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" ]]; then
      need mvn "to download Keycloak from Maven Central" "Maven 3.9 ('sudo apt-get install maven', or https://maven.apache.org/download.cgi)"
      # Maven runs on any Java 8 or newer; without JAVA_HOME or java on PATH, use one from the usual folders.
      if [[ -z "${JAVA_HOME:-}" ]] && ! command -v java >/dev/null; then
        JAVA_HOME=$(java_home_for 8 "Maven") || exit 1
        export JAVA_HOME
      fi
    fi
    need tar "to unpack Keycloak" "tar"
    keycloak_start=$(now)
    build_keycloak &
    keycloak_pid=$!
  fi
fi

# --- Go builds.
# A committed wrapper module is used when it pins the wanted version; otherwise
# one is generated for that version under $work (and a note says so).
go_build() { # tool version wrapper-dir out-dir package ldflags...
  local tool=$1 version=$2 dir=$3 outdir=$4 pkg=$5
  shift 5
  local marker="$outdir/.$tool.built" log="$logs/$tool-$version.log" t0
  if [[ -f "$marker" && -x "$outdir/$tool" ]]; then
    say_cached "$tool $version: cached ($outdir/$tool)"
    return 0
  fi
  need go "to build $tool" "Go $GO_MIN or newer (https://go.dev/dl)"
  say "$tool $version: building (log $log)"
  t0=$(now)
  mkdir -p "$outdir"
  rm -f "$marker" "$outdir/.$tool.tmp"
  {
    echo "# $(date -u +%FT%TZ) go build $pkg in $dir"
    go version
  } >"$log"
  (cd "$dir" && go build -trimpath -tags selinux,notest -ldflags "$*" -o "$outdir/.$tool.tmp" "$pkg") >>"$log" 2>&1 ||
    fail "$tool" "$version" "go build" "$log"
  mv "$outdir/.$tool.tmp" "$outdir/$tool"
  echo "$version" >"$marker"
  say "$tool $version: built in $(($(now) - t0)) s"
}

wrapper_version() { # go.mod module -> version required in it
  sed -n "s#^[[:space:]]*\(require[[:space:]]\)\{0,1\}$2 \(v[^[:space:]]*\).*#\2#p;T;q" "$1"
}

if wants etcd; then
  dir="$repo/tools/cluster/etcd"
  if [[ "$(wrapper_version "$dir/go.mod" go.etcd.io/etcd/server/v3)" != "v$ETCD_VERSION" &&
    ! (-f "$KUBE_ACCESS_ETCD_BIN/.etcd.built" && -x "$KUBE_ACCESS_ETCD_BIN/etcd") ]]; then
    gen="$work/etcd-$ETCD_VERSION"
    log="$logs/etcd-$ETCD_VERSION.gomod.log"
    say "etcd $ETCD_VERSION: tools/cluster/etcd/go.mod pins another version; generating a wrapper in $gen"
    mkdir -p "$gen"
    "$dir/gen-gomod.sh" "$ETCD_VERSION" "$gen" >"$log" 2>&1 ||
      fail etcd "$ETCD_VERSION" "generating the wrapper go.mod" "$log"
    dir=$gen
  fi
  go_build etcd "$ETCD_VERSION" "$dir" "$KUBE_ACCESS_ETCD_BIN" go.etcd.io/etcd/server/v3 -s -w
fi

kube_tools=()
for t in kube-apiserver kube-controller-manager kubectl; do
  wants "$t" && kube_tools+=("$t")
done
if ((${#kube_tools[@]})); then
  v="v$KUBERNETES_VERSION"
  dir="$repo/tools/cluster/kubernetes"
  need_source=false
  for t in "${kube_tools[@]}"; do
    [[ -f "$KUBE_ACCESS_KUBE_BIN/.$t.built" && -x "$KUBE_ACCESS_KUBE_BIN/$t" ]] || need_source=true
  done
  if $need_source && [[ "$(wrapper_version "$dir/go.mod" k8s.io/kubernetes)" != "$v" ]]; then
    gen="$work/kubernetes-$KUBERNETES_VERSION"
    log="$logs/kubernetes-$KUBERNETES_VERSION.gomod.log"
    say "kubernetes $KUBERNETES_VERSION: tools/cluster/kubernetes/go.mod pins another version; generating a wrapper in $gen"
    mkdir -p "$gen"
    "$dir/gen-gomod.sh" "$KUBERNETES_VERSION" "$gen" >"$log" 2>&1 ||
      fail kubernetes "$KUBERNETES_VERSION" "generating the wrapper go.mod" "$log"
    dir=$gen
  fi
  # Version stamps as upstream's hack/lib/version.sh sets them. The module proxy
  # does not tell the commit, so gitCommit stays empty; the build date is the
  # tag's publication time, which keeps the binaries reproducible.
  minor=${KUBERNETES_VERSION#*.}
  minor=${minor%%.*}
  build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$v.info" 2>/dev/null || true)
  ldflags=(-s -w)
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=(-X "$p.gitVersion=$v" -X "$p.gitMajor=1" -X "$p.gitMinor=$minor"
      -X "$p.gitTreeState=clean" -X "$p.buildDate=${build_date:-1970-01-01T00:00:00Z}")
  done
  for t in "${kube_tools[@]}"; do
    go_build "$t" "$KUBERNETES_VERSION" "$dir" "$KUBE_ACCESS_KUBE_BIN" "k8s.io/kubernetes/cmd/$t" "${ldflags[@]}"
  done
fi

if [[ -n "$keycloak_pid" ]]; then
  if wait "$keycloak_pid"; then
    say "keycloak $KEYCLOAK_VERSION: ready in $(($(stat -c %Y "$keycloak_marker") - keycloak_start)) s ($KUBE_ACCESS_KEYCLOAK_HOME)"
  else
    step=$(sed -n 's/^step: //p' "$keycloak_log" | tail -n1)
    fail keycloak "$KEYCLOAK_VERSION" "${step:-downloading or unpacking}" "$keycloak_log"
  fi
fi
