#!/usr/bin/env bash
# A local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager;
# no nodes) and a Keycloak identity provider, all on 127.0.0.1, for the demo and
# the end-to-end tests.
#
# Usage: tools/local-cluster.sh start | stop | status | env | set-authentication-config <file>
#
#   start    builds missing tools (tools/build-cluster.sh), creates the PKI once,
#            starts what is not running and waits until everything is ready.
#            Running it while the cluster is up only reports the status.
#   stop     stops every process this state dir started, whatever became of
#            its process tree (see tools/processes.sh).
#   status   prints each process and its health; exit 0 only if all are up.
#   env      prints the env file (see below).
#   set-authentication-config <file>
#            installs an AuthenticationConfiguration (apiserver.config.k8s.io/v1)
#            and makes the running apiserver use it: it waits for the apiserver's
#            own file reload and restarts the apiserver if that does not happen.
#
# State (certificates, data, logs, pid files, kubeconfig, env file) lives in
# ${KUBE_ACCESS_CLUSTER_DIR:-$KUBE_ACCESS_RUN_DIR/cluster}; $KUBE_ACCESS_CLUSTER_DIR/env
# holds KEY=value lines for the harness (shell or Node). Ports (all on 127.0.0.1):
#   KUBE_ACCESS_ETCD_PORT=2379 KUBE_ACCESS_ETCD_PEER_PORT=2380
#   KUBE_ACCESS_APISERVER_PORT=6443 KUBE_ACCESS_CONTROLLER_MANAGER_PORT=10257
#   KUBE_ACCESS_KEYCLOAK_PORT=8443 (https) KUBE_ACCESS_KEYCLOAK_HTTP_PORT=8080
#   (start-dev always opens http too)
# Other settings: KUBE_ACCESS_KEYCLOAK_JAVA_HOME (a Java 21+ home; found in JAVA_HOME,
#   PATH or the usual install folders when unset, see tools/find-java.sh),
#   KUBE_ACCESS_KEYCLOAK_HEAP (768m), KUBE_ACCESS_STOP_TIMEOUT (seconds from
#   SIGTERM to SIGKILL, 30),
#   KUBE_ACCESS_KEYCLOAK_ADMIN_USER (admin), KUBE_ACCESS_KEYCLOAK_ADMIN_PASSWORD
#   (random on first start, then kept), KUBE_ACCESS_START_TIMEOUT (seconds, 300),
#   KUBE_ACCESS_AUTHN_RELOAD_TIMEOUT (seconds to wait for a file reload, 30).
set -euo pipefail

repo=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/tools/harness-env.sh"
. "$repo/tools/find-java.sh"

dir=${KUBE_ACCESS_CLUSTER_DIR:-$KUBE_ACCESS_RUN_DIR/cluster}
case "$dir" in
  *[[:space:]\"\'\$\\]*) echo "[cluster] the state dir must not contain spaces, quotes, \$ or \\: $dir" >&2; exit 2 ;;
esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

etcd_port=${KUBE_ACCESS_ETCD_PORT:-2379}
etcd_peer_port=${KUBE_ACCESS_ETCD_PEER_PORT:-2380}
apiserver_port=${KUBE_ACCESS_APISERVER_PORT:-6443}
kcm_port=${KUBE_ACCESS_CONTROLLER_MANAGER_PORT:-10257}
keycloak_port=${KUBE_ACCESS_KEYCLOAK_PORT:-8443}
keycloak_http_port=${KUBE_ACCESS_KEYCLOAK_HTTP_PORT:-8080}
keycloak_java_home= # found by `start` (tools/find-java.sh)
keycloak_heap=${KUBE_ACCESS_KEYCLOAK_HEAP:-768m}
keycloak_admin_user=${KUBE_ACCESS_KEYCLOAK_ADMIN_USER:-admin}
start_timeout=${KUBE_ACCESS_START_TIMEOUT:-300}
reload_timeout=${KUBE_ACCESS_AUTHN_RELOAD_TIMEOUT:-30}
service_cidr=10.0.0.0/24
service_account_issuer=https://kubernetes.default.svc.cluster.local

pki=$dir/pki
logs=$dir/logs
run=$dir/run
authn_config=$dir/authentication-config.yaml
admin_kubeconfig=$dir/admin.kubeconfig
kcm_kubeconfig=$dir/controller-manager.kubeconfig
env_file=$dir/env
apiserver_url=https://127.0.0.1:$apiserver_port
keycloak_url=https://127.0.0.1:$keycloak_port
etcd_url=http://127.0.0.1:$etcd_port

say() { echo "[cluster] $*"; }
die() { echo "[cluster] ERROR: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
secs_since() { local d=$(($(now_ms) - $1)); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }

# ---------------------------------------------------------------- processes
# launch, running, main_pid, launched_alive, stop_process: see tools/processes.sh.
. "$repo/tools/processes.sh"

wait_ready() { # name timeout-seconds check-command...
  local name=$1 timeout=$2 t0
  shift 2
  t0=$(now_ms)
  while ! "$@" >/dev/null 2>&1; do
    if ! launched_alive "$name"; then
      echo "[cluster] ERROR: $name exited during startup; see $logs/$name.log" >&2
      tail -n 20 "$logs/$name.log" | sed 's/^/[cluster]   | /' >&2
      exit 1
    fi
    if (($(now_ms) - t0 > timeout * 1000)); then
      echo "[cluster] ERROR: $name (pid $(main_pid "$name" || cat "$run/$name.pid")) not ready after ${timeout}s; see $logs/$name.log" >&2
      tail -n 20 "$logs/$name.log" | sed 's/^/[cluster]   | /' >&2
      exit 1
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- health checks
curl_admin() { curl -sS --fail --max-time 5 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "$@"; }
# Each check reads the whole answer before matching it (no `curl | grep -q`: see
# tools/processes.sh on pipefail).
etcd_healthy() {
  local body
  body=$(curl -sS --fail --max-time 5 "$etcd_url/health") && [[ "$body" == *'"health":"true"'* ]]
}
apiserver_ready() { [[ "$(curl_admin "$apiserver_url/readyz")" == ok ]]; }
kcm_healthy() { [[ "$(curl -sS --fail --max-time 5 -k "https://127.0.0.1:$kcm_port/healthz")" == ok ]]; }
keycloak_ready() {
  local body
  body=$(curl -sS --fail --max-time 5 --cacert "$pki/keycloak-ca.crt" \
    "$keycloak_url/realms/master/.well-known/openid-configuration") &&
    [[ "$body" == *"\"issuer\":\"$keycloak_url/realms/master\""* ]]
}

# ---------------------------------------------------------------- PKI (once)
make_pki() {
  [[ -f "$pki/.complete" ]] && return 0
  say "creating certificates in $pki"
  local tmp="$dir/pki.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (
    umask 077
    cd "$tmp"
    ossl() { openssl "$@" 2>>openssl.log || { echo "[cluster] ERROR: openssl $1 failed; see $pki.tmp/openssl.log" >&2; exit 1; }; }
    ca() { # name cn
      ossl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$1.key" -out "$1.crt" -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
    }
    leaf() { # name ca subject extendedKeyUsage [subjectAltName]
      ossl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" -subj "$3"
      {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=$4"
        [[ -n "${5:-}" ]] && echo "subjectAltName=$5"
        echo "authorityKeyIdentifier=keyid"
        echo "subjectKeyIdentifier=hash"
      } >"$1.ext"
      ossl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -set_serial "0x$(openssl rand -hex 16)" \
        -days 3650 -sha256 -extfile "$1.ext" -out "$1.crt"
      rm -f "$1.csr" "$1.ext"
    }
    ca ca kube-access-local-cluster-ca
    leaf apiserver ca /CN=kube-apiserver serverAuth \
      "IP:127.0.0.1,IP:${service_cidr%.*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    leaf admin ca "/O=system:masters/CN=kube-access-admin" clientAuth
    leaf controller-manager ca /CN=system:kube-controller-manager clientAuth
    ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out service-account.key
    ossl pkey -in service-account.key -pubout -out service-account.pub
    ca keycloak-ca kube-access-local-keycloak-ca
    leaf keycloak keycloak-ca /CN=127.0.0.1 serverAuth "IP:127.0.0.1,DNS:localhost"
    rm -f openssl.log
    # Certificates are public; keys stay private to the user.
    chmod 644 ./*.crt service-account.pub
    touch .complete
  )
  rm -rf "$pki"
  mv "$tmp" "$pki"
}

keycloak_admin_password() {
  local f="$pki/keycloak-admin-password"
  if [[ ! -s "$f" ]]; then
    (umask 077 && printf '%s\n' "${KUBE_ACCESS_KEYCLOAK_ADMIN_PASSWORD:-$(openssl rand -hex 12)}" >"$f")
  elif [[ -n "${KUBE_ACCESS_KEYCLOAK_ADMIN_PASSWORD:-}" && "$KUBE_ACCESS_KEYCLOAK_ADMIN_PASSWORD" != "$(<"$f")" ]]; then
    say "note: KUBE_ACCESS_KEYCLOAK_ADMIN_PASSWORD differs from the password this state dir was created with; using the stored one ($f)" >&2
  fi
  cat "$f"
}

write_files() {
  local b64ca b64crt b64key
  b64ca=$(base64 -w0 "$pki/ca.crt")
  # An admin kubeconfig with embedded data (copyable anywhere); harness use only.
  kubeconfig() { # file user cert key
    (
      umask 077
      cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kube-access-local
  cluster:
    server: $apiserver_url
    certificate-authority-data: $b64ca
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$3")
    client-key-data: $(base64 -w0 "$4")
contexts:
- name: $2@kube-access-local
  context:
    cluster: kube-access-local
    user: $2
current-context: $2@kube-access-local
EOF
      mv "$1.tmp" "$1"
    )
  }
  kubeconfig "$admin_kubeconfig" kube-access-admin "$pki/admin.crt" "$pki/admin.key"
  kubeconfig "$kcm_kubeconfig" system:kube-controller-manager "$pki/controller-manager.crt" "$pki/controller-manager.key"

  if [[ ! -f "$authn_config" ]]; then
    cat >"$authn_config" <<'EOF'
apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt: []
EOF
  fi

  (
    umask 077
    cat >"$env_file.tmp" <<EOF
KUBE_ACCESS_CLUSTER_DIR=$dir
KUBE_ACCESS_KUBERNETES_VERSION=$KUBERNETES_VERSION
KUBE_ACCESS_APISERVER_URL=$apiserver_url
KUBE_ACCESS_CLUSTER_CA_CERT=$pki/ca.crt
KUBE_ACCESS_CLUSTER_CA_KEY=$pki/ca.key
KUBE_ACCESS_ADMIN_KUBECONFIG=$admin_kubeconfig
KUBE_ACCESS_SERVICE_ACCOUNT_ISSUER=$service_account_issuer
KUBE_ACCESS_AUTHENTICATION_CONFIG=$authn_config
KUBE_ACCESS_ETCD_URL=$etcd_url
KUBE_ACCESS_KEYCLOAK_VERSION=$KEYCLOAK_VERSION
KUBE_ACCESS_KEYCLOAK_URL=$keycloak_url
KUBE_ACCESS_KEYCLOAK_ADMIN_USER=$keycloak_admin_user
KUBE_ACCESS_KEYCLOAK_ADMIN_PASSWORD=$(keycloak_admin_password)
KUBE_ACCESS_KEYCLOAK_CA_CERT=$pki/keycloak-ca.crt
KUBE_ACCESS_KUBECTL=$KUBE_ACCESS_KUBE_BIN/kubectl
EOF
    mv "$env_file.tmp" "$env_file"
  )
}

# ---------------------------------------------------------------- the processes
start_etcd() {
  launch etcd "$KUBE_ACCESS_ETCD_BIN/etcd" \
    --name=kube-access --data-dir="$dir/etcd" \
    --listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster="kube-access=http://127.0.0.1:$etcd_peer_port" \
    --log-level=warn
}

# Opt-in: trust an authenticating proxy (kube-access's `authenticatingProxy`
# output). Set KUBE_ACCESS_REQUESTHEADER_CA_FILE to the request-header CA file
# and KUBE_ACCESS_REQUESTHEADER_ALLOWED_NAMES to the proxies' names; the header
# settings default to the Kubernetes docs' X-Remote-User, X-Remote-Group and
# X-Remote-Extra-. kube-apiserver reloads the CA file when it changes.
requestheader_flags=()
if [[ -n "${KUBE_ACCESS_REQUESTHEADER_CA_FILE:-}" ]]; then
  requestheader_flags=(
    --requestheader-client-ca-file="$KUBE_ACCESS_REQUESTHEADER_CA_FILE"
    --requestheader-allowed-names="${KUBE_ACCESS_REQUESTHEADER_ALLOWED_NAMES:?set KUBE_ACCESS_REQUESTHEADER_ALLOWED_NAMES to the proxy certificate CNs, comma-separated}"
    --requestheader-username-headers="${KUBE_ACCESS_REQUESTHEADER_USERNAME_HEADERS:-X-Remote-User}"
    --requestheader-group-headers="${KUBE_ACCESS_REQUESTHEADER_GROUP_HEADERS:-X-Remote-Group}"
    --requestheader-extra-headers-prefix="${KUBE_ACCESS_REQUESTHEADER_EXTRA_HEADERS_PREFIX:-X-Remote-Extra-}"
  )
fi

start_apiserver() {
  launch kube-apiserver "$KUBE_ACCESS_KUBE_BIN/kube-apiserver" \
    "${requestheader_flags[@]}" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$apiserver_port" \
    --cert-dir="$dir/kube-apiserver" \
    --etcd-servers="$etcd_url" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --service-account-issuer="$service_account_issuer" \
    --service-account-key-file="$pki/service-account.pub" \
    --service-account-signing-key-file="$pki/service-account.key" \
    --service-cluster-ip-range="$service_cidr" \
    --authorization-mode=Node,RBAC \
    --authentication-config="$authn_config" \
    --endpoint-reconciler-type=none \
    --allow-privileged=false --profiling=false
}

start_controller_manager() {
  # No csrapproving controller: the program under test approves CSRs itself.
  launch kube-controller-manager "$KUBE_ACCESS_KUBE_BIN/kube-controller-manager" \
    --bind-address=127.0.0.1 --secure-port="$kcm_port" --cert-dir="$dir/kube-controller-manager" \
    --kubeconfig="$kcm_kubeconfig" \
    --authentication-kubeconfig="$kcm_kubeconfig" --authorization-kubeconfig="$kcm_kubeconfig" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --service-account-private-key-file="$pki/service-account.key" \
    --root-ca-file="$pki/ca.crt" \
    --use-service-account-credentials=true --leader-elect=false \
    --controllers=serviceaccount-token-controller,serviceaccount-controller,certificatesigningrequest-signing-controller,certificatesigningrequest-cleaner-controller,namespace-controller,clusterrole-aggregation-controller,root-ca-certificate-publisher-controller,garbage-collector-controller
}

# Keycloak's start-dev first re-augments the distribution for the dev profile
# (about 15 s, rewriting lib/quarkus) unless lib/quarkus already is a dev build.
# That build depends only on build-time options, the same for every state dir,
# so the first one made is kept beside the cached distribution and seeds new
# state dirs; Keycloak re-augments by itself if it ever does not match.
keycloak_dev_build="$KUBE_ACCESS_KEYCLOAK_HOME.dev-lib-quarkus"

keycloak_home() {
  # A per-state-dir copy of the distribution made of hard links (a plain copy if
  # the cache is on another filesystem) with its own lib/quarkus and data/:
  # Keycloak writes both, so the cached distribution stays untouched and
  # several state dirs can run at once.
  local home="$dir/keycloak/home" seed="$KUBE_ACCESS_KEYCLOAK_HOME/lib/quarkus"
  if [[ ! -f "$home/.from" || "$(<"$home/.from")" != "$KUBE_ACCESS_KEYCLOAK_HOME" ]]; then
    rm -rf "$home" "$home.tmp"
    mkdir -p "$dir/keycloak"
    cp -al "$KUBE_ACCESS_KEYCLOAK_HOME" "$home.tmp" 2>/dev/null || { rm -rf "$home.tmp"; cp -a "$KUBE_ACCESS_KEYCLOAK_HOME" "$home.tmp"; }
    rm -rf "$home.tmp/lib/quarkus" "$home.tmp/data"
    [[ -d "$keycloak_dev_build" ]] && seed=$keycloak_dev_build
    cp -a "$seed" "$home.tmp/lib/quarkus"
    echo "$KUBE_ACCESS_KEYCLOAK_HOME" >"$home.tmp/.from"
    mv "$home.tmp" "$home"
  fi
  echo "$home"
}

save_keycloak_dev_build() {
  local home="$dir/keycloak/home" tmp="$keycloak_dev_build.tmp.$$"
  [[ -d "$keycloak_dev_build" ]] && return 0
  local persisted
  persisted=$(unzip -p "$home/lib/quarkus/generated-bytecode.jar" META-INF/keycloak-persisted.properties 2>/dev/null) ||
    return 0
  [[ $'\n'"$persisted"$'\n' == *$'\nkc.profile=dev\n'* ]] || return 0
  cp -a "$home/lib/quarkus" "$tmp" && mv -T "$tmp" "$keycloak_dev_build" 2>/dev/null || rm -rf "$tmp"
}

start_keycloak() {
  local home password
  home=$(keycloak_home)
  password=$(keycloak_admin_password)
  # --add-opens: what Java 24+ asks for Keycloak's thread-local reset (its log otherwise shows an IllegalAccessError).
  JAVA_HOME="$keycloak_java_home" JAVA_OPTS_KC_HEAP="-Xms64m -Xmx$keycloak_heap" \
    JAVA_OPTS_APPEND="${JAVA_OPTS_APPEND:-} --add-opens=java.base/java.lang=ALL-UNNAMED" \
    KC_BOOTSTRAP_ADMIN_USERNAME="$keycloak_admin_user" KC_BOOTSTRAP_ADMIN_PASSWORD="$password" \
    launch keycloak "$home/bin/kc.sh" start-dev \
    --http-host=127.0.0.1 --http-port="$keycloak_http_port" --https-port="$keycloak_port" \
    --https-certificate-file="$pki/keycloak.crt" --https-certificate-key-file="$pki/keycloak.key" \
    --hostname="$keycloak_url" \
    --db=dev-file --db-url="jdbc:h2:file:$dir/keycloak/data/keycloakdb;NON_KEYWORDS=VALUE"
}

# Waits for Keycloak; if it exited during startup (seen once here: its HTTP
# server reported its port taken right after the port check passed), starts
# it once more before giving up.
wait_keycloak() {
  (wait_ready keycloak "$start_timeout" keycloak_ready) && return 0
  launched_alive keycloak && exit 1
  say "keycloak exited during startup; starting it once more"
  start_keycloak
  wait_ready keycloak "$start_timeout" keycloak_ready
}

# ---------------------------------------------------------------- commands
all=(etcd kube-apiserver kube-controller-manager keycloak)

status() {
  local name pid ok=0 health
  for name in "${all[@]}"; do
    if pid=$(main_pid "$name"); then
      case "$name" in
        etcd) etcd_healthy && health=healthy || health=unhealthy ;;
        kube-apiserver) apiserver_ready && health=ready || health="not ready" ;;
        kube-controller-manager) kcm_healthy && health=healthy || health=unhealthy ;;
        keycloak) keycloak_ready && health=ready || health="not ready" ;;
      esac
      [[ "$health" == healthy || "$health" == ready ]] || ok=1
      printf '[cluster] %-24s running (pid %s), %s\n' "$name" "$pid" "$health"
    else
      printf '[cluster] %-24s stopped\n' "$name"
      ok=1
    fi
  done
  say "state dir $dir; env file $env_file"
  say "apiserver $apiserver_url, keycloak $keycloak_url"
  return $ok
}

# port_in_use PORT: something already listens on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# check_ports_free NAME PORT...: refuse to start NAME on a port another process holds
# (another cluster, or a leftover from a state dir that was deleted).
check_ports_free() {
  local name=$1 port low=32768 high=60999; shift
  [[ -r /proc/sys/net/ipv4/ip_local_port_range ]] && read -r low high </proc/sys/net/ipv4/ip_local_port_range
  for port in "$@"; do
    port_in_use "$port" && die "cannot start $name: 127.0.0.1:$port is already in use by another process; stop it or pick other ports (KUBE_ACCESS_*_PORT)"
    # An outgoing connection may hold such a port without listening on it; the probe above cannot see that.
    ((port >= low && port <= high)) &&
      say "warning: $name's port $port lies in the range outgoing connections take their ports from ($low-$high); if $name fails to bind it, pick a port below $low"
  done
  return 0
}

cmd_start() {
  local name missing=() t0 t_all
  for name in "${all[@]}"; do running "$name" || missing+=("$name"); done
  if ((${#missing[@]} == 0)); then
    say "already running"
    # Settings asked for now reach kube-apiserver only when it starts: say so rather than ignore them.
    local flag
    for flag in "${requestheader_flags[@]}"; do
      if ! head -n 1 "$logs/kube-apiserver.log" 2>/dev/null | grep -qF -- " $flag"; then
        say "warning: kube-apiserver runs without $flag (KUBE_ACCESS_REQUESTHEADER_*): stop the cluster first (tools/local-cluster.sh stop, or npm run demo:stop for the demo's), then start it again"
        break
      fi
    done
    status
    return
  fi
  running etcd || check_ports_free etcd "$etcd_port" "$etcd_peer_port"
  running kube-apiserver || check_ports_free kube-apiserver "$apiserver_port"
  running kube-controller-manager || check_ports_free kube-controller-manager "$kcm_port"
  running keycloak || check_ports_free keycloak "$keycloak_port" "$keycloak_http_port"
  t_all=$(now_ms)
  "$repo/tools/build-cluster.sh" --quiet etcd kube-apiserver kube-controller-manager keycloak
  if ! running keycloak; then
    keycloak_java_home=$(java_home_for "$KEYCLOAK_JAVA_MIN" "Keycloak $KEYCLOAK_VERSION" KUBE_ACCESS_KEYCLOAK_JAVA_HOME 2>"$dir/java.err") ||
      { sed 's/^/[cluster] ERROR: /' "$dir/java.err" >&2; exit 1; }
    rm -f "$dir/java.err"
  fi
  make_pki
  write_files

  # Keycloak is the slowest to boot: start it first, wait for it last.
  local t_keycloak=
  if ! running keycloak; then
    say "starting keycloak on $keycloak_url (log $logs/keycloak.log)"
    t_keycloak=$(now_ms)
    start_keycloak
  fi
  if ! running etcd; then
    say "starting etcd on $etcd_url"
    t0=$(now_ms)
    start_etcd
    wait_ready etcd "$start_timeout" etcd_healthy
    say "etcd ready in $(secs_since "$t0") s"
  fi
  # The apiserver discovers each JWT issuer when it starts and, if that fails,
  # only retries every 10 s; so when the authentication config names issuers
  # (Keycloak's realms), Keycloak must answer first or OIDC logins fail for a while.
  if ! running kube-apiserver && grep -q '^[[:space:]]*url:' "$authn_config"; then
    wait_keycloak
    [[ -n "$t_keycloak" ]] && say "keycloak ready in $(secs_since "$t_keycloak") s" && t_keycloak=
    save_keycloak_dev_build
  fi
  if ! running kube-apiserver; then
    say "starting kube-apiserver on $apiserver_url"
    t0=$(now_ms)
    start_apiserver
    wait_ready kube-apiserver "$start_timeout" apiserver_ready
    say "kube-apiserver ready in $(secs_since "$t0") s"
  fi
  if ! running kube-controller-manager; then
    say "starting kube-controller-manager"
    t0=$(now_ms)
    start_controller_manager
    wait_ready kube-controller-manager "$start_timeout" kcm_healthy
    say "kube-controller-manager healthy in $(secs_since "$t0") s"
  fi
  wait_keycloak
  [[ -n "$t_keycloak" ]] && say "keycloak ready in $(secs_since "$t_keycloak") s"
  save_keycloak_dev_build
  say "cluster up in $(secs_since "$t_all") s; env file: $env_file"
}

cmd_stop() {
  local name i
  for ((i = ${#all[@]} - 1; i >= 0; i--)); do
    stop_process "${all[$i]}"
  done
  say "stopped"
}

authn_config_hash() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
# The apiserver's metrics, read whole before sed picks one value (a reader that
# stops early would make curl fail under pipefail).
apiserver_metric() { # sed-expression printing the value
  local metrics
  metrics=$(curl_admin "$apiserver_url/metrics" 2>/dev/null) || return 0
  sed -n "$1;T;q" <<<"$metrics"
}
active_authn_config_hash() {
  apiserver_metric 's/^apiserver_authentication_config_controller_last_config_info{.*hash="\([^"]*\)".*/\1/p'
}
authn_reload_failures() {
  apiserver_metric 's/^apiserver_authentication_config_controller_automatic_reloads_total{.*status="failure".*} \([0-9]*\)$/\1/p'
}

restart_apiserver() {
  local t0
  # Stop the controller manager first: while its watches are open, a stopping
  # apiserver waits 60 s for its HTTP server to drain before it exits.
  t0=$(now_ms)
  stop_process kube-controller-manager
  stop_process kube-apiserver
  start_apiserver
  wait_ready kube-apiserver "$start_timeout" apiserver_ready
  start_controller_manager
  wait_ready kube-controller-manager "$start_timeout" kcm_healthy
  say "kube-apiserver and kube-controller-manager restarted in $(secs_since "$t0") s"
}

install_authn_config() { # file: atomic, so the apiserver never reads half a file
  cp -f "$1" "$authn_config.tmp"
  mv -f "$authn_config.tmp" "$authn_config"
}

cmd_set_authentication_config() {
  local file=${1:-} want t0 prev="$authn_config.previous" failures log_lines reason
  [[ -n "$file" ]] || die "usage: $0 set-authentication-config <file>"
  [[ -f "$file" ]] || die "no such file: $file"
  grep -q '^kind: *AuthenticationConfiguration' "$file" || die "$file is not an AuthenticationConfiguration (kind: AuthenticationConfiguration)"
  want=$(authn_config_hash "$file")
  if ! running kube-apiserver; then
    install_authn_config "$file"
    say "installed $authn_config; the apiserver is not running and will use it at the next start"
    return
  fi
  if [[ "$(active_authn_config_hash)" == "$want" ]]; then
    install_authn_config "$file"
    say "the apiserver already uses this authentication config"
    return
  fi
  failures=$(authn_reload_failures)
  log_lines=$(wc -l <"$logs/kube-apiserver.log")
  [[ -f "$authn_config" ]] && cp -f "$authn_config" "$prev"
  install_authn_config "$file"
  # The apiserver watches the file and swaps the JWT authenticators in once the
  # new ones are healthy (issuer discovery done; it re-checks every 10 s). A file
  # it cannot parse or validate is rejected at once (a failed reload) and the
  # old authenticators stay.
  say "installed $authn_config; waiting up to ${reload_timeout}s for the apiserver to reload it"
  t0=$(now_ms)
  while (($(now_ms) - t0 < reload_timeout * 1000)); do
    if [[ "$(active_authn_config_hash)" == "$want" ]]; then
      say "kube-apiserver reloaded the authentication config in $(secs_since "$t0") s"
      return
    fi
    if [[ "$(authn_reload_failures)" != "$failures" ]]; then
      reason=$(tail -n +"$((log_lines + 1))" "$logs/kube-apiserver.log" |
        grep -E 'failed to (load|validate) authentication config' | tail -n1 || true)
      if [[ -n "$reason" ]]; then
        [[ -f "$prev" ]] && install_authn_config "$prev"
        die "kube-apiserver rejected $file, the previous config stays: ${reason#*\] }"
      fi
    fi
    sleep 0.5
  done
  say "no reload after ${reload_timeout}s (see $logs/kube-apiserver.log); restarting kube-apiserver"
  if ! (restart_apiserver); then
    if [[ -f "$prev" ]]; then
      say "kube-apiserver did not start with the new config; putting the previous one back"
      install_authn_config "$prev"
      cp -f "$logs/kube-apiserver.log" "$logs/kube-apiserver.rejected-config.log"
      restart_apiserver
      die "the authentication config $file was rejected; see $logs/kube-apiserver.rejected-config.log"
    fi
    die "kube-apiserver did not start; see $logs/kube-apiserver.log"
  fi
  [[ "$(active_authn_config_hash)" == "$want" ]] || die "kube-apiserver restarted but does not report the new config; see $logs/kube-apiserver.log"
  say "kube-apiserver uses the new authentication config"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) status ;;
  env) [[ -f "$env_file" ]] || die "no env file yet; run: $0 start"; cat "$env_file" ;;
  set-authentication-config) shift; cmd_set_authentication_config "$@" ;;
  -h | --help | help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" ;;
  *) echo "usage: $0 start|stop|status|env|set-authentication-config <file>" >&2; exit 2 ;;
esac
