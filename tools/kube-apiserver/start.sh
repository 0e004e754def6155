#!/usr/bin/env bash
# Starts etcd and kube-apiserver on random free loopback ports with a fresh data directory, and
# supervises them in the foreground until SIGINT/SIGTERM (or until the watched parent exits).
#
#   bash tools/kube-apiserver/start.sh
#
# Writes into the kube dir ($RXINFORMER_KUBE_DIR, else a new temp dir, printed):
#   admin.kubeconfig     token user `admin` in group system:masters
#   limited.kubeconfig   token user `limited` (RBAC: list configmaps, nothing else beyond defaults)
#   env.json / env.sh    server URL, ports, tokens, CA path, etcd URL, PIDs
#   pki/apiserver.crt    kube-apiserver's self-signed serving cert + its CA (the kubeconfigs' CA)
#   etcd/ etcd.log kube-apiserver.log sa.key tokens.csv
#
# Protocol on stdout (human messages go to stderr):
#   KUBE_DIR=<dir>          as soon as the dir is chosen
#   READY <dir>/env.json    when both are up, /readyz is ok and RBAC is applied
#   RESTARTED               after a SIGHUP-triggered restart of kube-apiserver (same port, same etcd)
#   RESTART_FAILED          if that restart did not become ready (the script then exits 1)
#
# Signals: SIGHUP restarts kube-apiserver; SIGINT/SIGTERM stop both (by PID) and exit.
#
# Environment:
#   RXINFORMER_KUBE_DIR         where to put everything (its etcd/ pki/ subdirs are wiped first);
#                               default: a new temp dir, removed on exit
#   RXINFORMER_KUBE_KEEP=1      keep the (temp) dir on exit
#   RXINFORMER_KUBE_BIN         dir with kube-apiserver, etcd, kubectl (default: run build.sh,
#                               which builds them if missing)
#   RXINFORMER_KUBE_NO_RBAC=1   do not apply rbac-limited.yaml (the TS harness applies it itself)
#   RXINFORMER_KUBE_PARENT_PID  stop when this PID is gone (the TS harness passes its own PID)
#   RXINFORMER_KUBE_TIMEOUT     seconds to wait for each of etcd/kube-apiserver (default 120)
#   RXINFORMER_KUBE_APISERVER_ARGS  extra kube-apiserver flags (word-split)
#   RXINFORMER_KUBE_VERBOSITY   kube-apiserver --v (default 1)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "kube-apiserver/start.sh: $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

TIMEOUT="${RXINFORMER_KUBE_TIMEOUT:-120}"
command -v curl >/dev/null 2>&1 || die "curl is required (Fix: apt-get update && apt-get install -y curl)"

# --- binaries ---------------------------------------------------------------------------------
if [[ -n "${RXINFORMER_KUBE_BIN:-}" ]]; then
  BIN="$RXINFORMER_KUBE_BIN"
else
  BIN="$(bash "$HERE/build.sh" | tail -n1)" || die "build.sh failed (see above)"
fi
for b in etcd kube-apiserver kubectl; do
  [[ -x "$BIN/$b" ]] || die "missing $BIN/$b (Fix: bash tools/kube-apiserver/build.sh)"
done

# --- directory ----------------------------------------------------------------------------------
CREATED_DIR=0
if [[ -n "${RXINFORMER_KUBE_DIR:-}" ]]; then
  KDIR="$RXINFORMER_KUBE_DIR"
  mkdir -p "$KDIR"
  rm -rf "$KDIR/etcd" "$KDIR/pki" "$KDIR/env.json" "$KDIR/env.sh" "$KDIR/etcd.log" "$KDIR/kube-apiserver.log"
else
  KDIR="$(mktemp -d "${TMPDIR:-/tmp}/rxinformer-kube.XXXXXX")"
  CREATED_DIR=1
fi
KDIR="$(cd "$KDIR" && pwd)"
echo "KUBE_DIR=$KDIR"

ETCD_PID=""
API_PID=""
SLEEP_PID=""

stop_pid() { # <pid> <name>: TERM, wait up to 15s, then KILL
  local pid="$1" name="$2" i
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) did not stop in 15s; killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ -n "$SLEEP_PID" ]]; then kill "$SLEEP_PID" 2>/dev/null || true; fi
  stop_pid "$API_PID" kube-apiserver
  stop_pid "$ETCD_PID" etcd
  if [[ "$CREATED_DIR" == 1 && "${RXINFORMER_KUBE_KEEP:-0}" != 1 ]]; then
    rm -rf "$KDIR"
  fi
  exit "$rc"
}
RESTART=0
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'RESTART=1; if [[ -n "$SLEEP_PID" ]]; then kill "$SLEEP_PID" 2>/dev/null || true; fi' HUP

# --- ports: random, below the kernel's ephemeral range, not bound by any socket ----------------
CHOSEN=" "
port_in_use() {
  local hex
  hex="$(printf '%04X' "$1")"
  grep -qE "^ *[0-9]+: [0-9A-F]+:$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
free_port() { # sets PORT (not a subshell, so chosen ports are remembered)
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + (RANDOM % 12000)))
    [[ "$CHOSEN" == *" $p "* ]] && continue
    port_in_use "$p" && continue
    CHOSEN+="$p "
    PORT="$p"
    return 0
  done
  die "no free loopback port found"
}

# --- secrets ------------------------------------------------------------------------------------
rand_hex() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
ADMIN_TOKEN="$(rand_hex)"
LIMITED_TOKEN="$(rand_hex)"
umask 077
cat >"$KDIR/tokens.csv" <<EOF
$ADMIN_TOKEN,admin,admin-uid,system:masters
$LIMITED_TOKEN,limited,limited-uid
EOF
if [[ ! -s "$KDIR/sa.key" ]]; then
  if command -v openssl >/dev/null 2>&1; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KDIR/sa.key" 2>/dev/null \
      || die "openssl could not generate $KDIR/sa.key"
  elif command -v node >/dev/null 2>&1; then
    node -e 'const c=require("crypto");process.stdout.write(c.generateKeyPairSync("rsa",{modulusLength:2048}).privateKey.export({type:"pkcs8",format:"pem"}))' \
      >"$KDIR/sa.key" || die "node could not generate $KDIR/sa.key"
  else
    die "need openssl or node to generate the service-account key (Fix: apt-get install -y openssl)"
  fi
fi
umask 022

# --- etcd ---------------------------------------------------------------------------------------
start_etcd() {
  free_port
  ETCD_CLIENT_PORT="$PORT"
  free_port
  ETCD_PEER_PORT="$PORT"
  ETCD_URL="http://127.0.0.1:$ETCD_CLIENT_PORT"
  local peer="http://127.0.0.1:$ETCD_PEER_PORT"
  rm -rf "$KDIR/etcd"
  # --auto-compaction-retention=0: never compact by itself (tests compact explicitly);
  # --unsafe-no-fsync: throwaway data, much faster on slow disks.
  "$BIN/etcd" --name=node0 --data-dir="$KDIR/etcd" --unsafe-no-fsync \
    --listen-client-urls="$ETCD_URL" --advertise-client-urls="$ETCD_URL" \
    --listen-peer-urls="$peer" --initial-advertise-peer-urls="$peer" \
    --initial-cluster="node0=$peer" --initial-cluster-state=new \
    --auto-compaction-retention=0 --enable-grpc-gateway=true --log-level=warn \
    >"$KDIR/etcd.log" 2>&1 &
  ETCD_PID=$!
}

wait_etcd() {
  local deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$ETCD_PID" 2>/dev/null; then
      wait "$ETCD_PID" 2>/dev/null || true
      ETCD_PID=""
      return 2
    fi
    if curl -fsS --max-time 2 "$ETCD_URL/health" 2>/dev/null | grep -q '"health":"true"'; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

started=0
for attempt in 1 2 3; do
  start_etcd
  if wait_etcd; then
    started=1
    break
  else
    rc=$?
  fi
  if ((rc == 2)) && grep -q 'address already in use' "$KDIR/etcd.log"; then
    log "etcd: port taken, retrying with other ports (attempt $attempt)"
    continue
  fi
  stop_pid "$ETCD_PID" etcd
  ETCD_PID=""
  tail -n 40 "$KDIR/etcd.log" >&2 || true
  die "etcd did not become healthy at $ETCD_URL within ${TIMEOUT}s (log: $KDIR/etcd.log)"
done
((started)) || die "etcd could not bind free ports (log: $KDIR/etcd.log)"
log "etcd up at $ETCD_URL (pid $ETCD_PID)"

# --- kube-apiserver -----------------------------------------------------------------------------
free_port
API_PORT="$PORT"
mkdir -p "$KDIR/pki"
start_apiserver() {
  # Flags checked against `kube-apiserver --help` of the version build.sh builds (see README).
  # shellcheck disable=SC2086
  "$BIN/kube-apiserver" \
    --etcd-servers="$ETCD_URL" \
    --etcd-compaction-interval=0 \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --cert-dir="$KDIR/pki" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --service-account-issuer="https://127.0.0.1:$API_PORT" \
    --service-account-key-file="$KDIR/sa.key" \
    --service-account-signing-key-file="$KDIR/sa.key" \
    --token-auth-file="$KDIR/tokens.csv" \
    --authorization-mode=RBAC \
    --disable-admission-plugins=ServiceAccount \
    --allow-privileged=true \
    --endpoint-reconciler-type=none \
    --watch-cache=true \
    --feature-gates=WatchList=true \
    --enable-priority-and-fairness=false \
    --v="${RXINFORMER_KUBE_VERBOSITY:-1}" \
    ${RXINFORMER_KUBE_APISERVER_ARGS:-} \
    >>"$KDIR/kube-apiserver.log" 2>&1 &
  API_PID=$!
}

CA_FILE="$KDIR/pki/apiserver.crt"
SERVER="https://127.0.0.1:$API_PORT"

wait_apiserver() { # 0 ready, 1 timeout, 2 died
  local deadline=$((SECONDS + TIMEOUT)) rc out
  while ((SECONDS < deadline)); do
    if ! kill -0 "$API_PID" 2>/dev/null; then
      wait "$API_PID" 2>/dev/null || true
      API_PID=""
      return 2
    fi
    if [[ -s "$CA_FILE" ]]; then
      rc=0
      out="$(curl -sS --max-time 2 --cacert "$CA_FILE" -H "Authorization: Bearer $ADMIN_TOKEN" \
        "$SERVER/readyz" 2>&1)" || rc=$?
      if ((rc == 0)) && [[ "$out" == ok ]]; then
        return 0
      fi
      if ((rc == 60 || rc == 35)); then
        echo "$out" >&2
        die "the serving certificate of kube-apiserver does not verify against $CA_FILE (curl exit $rc)"
      fi
    fi
    sleep 0.3
  done
  return 1
}

for attempt in 1 2 3; do
  start_apiserver
  if wait_apiserver; then
    rc=0
    break
  else
    rc=$?
  fi
  if ((rc == 2)) && grep -q 'address already in use' "$KDIR/kube-apiserver.log" && ((attempt < 3)); then
    log "kube-apiserver: port $API_PORT taken, retrying with another port"
    free_port
    API_PORT="$PORT"
    SERVER="https://127.0.0.1:$API_PORT"
    rm -rf "$KDIR/pki"
    mkdir -p "$KDIR/pki"
    continue
  fi
  break
done
if ((rc != 0)); then
  stop_pid "$API_PID" kube-apiserver
  API_PID=""
  tail -n 60 "$KDIR/kube-apiserver.log" >&2 || true
  die "kube-apiserver did not become ready at $SERVER/readyz within ${TIMEOUT}s (log: $KDIR/kube-apiserver.log)"
fi
log "kube-apiserver ready at $SERVER (pid $API_PID)"

# --- kubeconfigs, env files ---------------------------------------------------------------------
write_kubeconfig() { # <file> <user> <token>
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: rxinformer
  cluster:
    server: $SERVER
    certificate-authority: $CA_FILE
users:
- name: $2
  user:
    token: $3
contexts:
- name: $2@rxinformer
  context:
    cluster: rxinformer
    user: $2
    namespace: default
current-context: $2@rxinformer
EOF
  chmod 600 "$1"
}
write_kubeconfig "$KDIR/admin.kubeconfig" admin "$ADMIN_TOKEN"
write_kubeconfig "$KDIR/limited.kubeconfig" limited "$LIMITED_TOKEN"

write_env() {
  cat >"$KDIR/env.json.tmp" <<EOF
{
  "kubeDir": "$KDIR",
  "binDir": "$BIN",
  "server": "$SERVER",
  "apiServerPort": $API_PORT,
  "caFile": "$CA_FILE",
  "kubeconfigPath": "$KDIR/admin.kubeconfig",
  "limitedKubeconfigPath": "$KDIR/limited.kubeconfig",
  "adminToken": "$ADMIN_TOKEN",
  "limitedToken": "$LIMITED_TOKEN",
  "etcdUrl": "$ETCD_URL",
  "etcdPid": $ETCD_PID,
  "apiServerPid": $API_PID,
  "supervisorPid": $$
}
EOF
  mv -f "$KDIR/env.json.tmp" "$KDIR/env.json"
  cat >"$KDIR/env.sh" <<EOF
export KUBECONFIG='$KDIR/admin.kubeconfig'
export RXINFORMER_KUBE_DIR='$KDIR'
export RXINFORMER_KUBE_SERVER='$SERVER'
export RXINFORMER_ETCD_URL='$ETCD_URL'
export PATH='$BIN':"\$PATH"
EOF
}
write_env

if [[ "${RXINFORMER_KUBE_NO_RBAC:-0}" != 1 ]]; then
  timeout 60 "$BIN/kubectl" --kubeconfig "$KDIR/admin.kubeconfig" --request-timeout=30s \
    apply -f "$HERE/rbac-limited.yaml" >&2 || die "applying $HERE/rbac-limited.yaml failed"
fi

echo "READY $KDIR/env.json"
log "admin:   kubectl --kubeconfig $KDIR/admin.kubeconfig get ns"
log "limited: kubectl --kubeconfig $KDIR/limited.kubeconfig get configmaps"
log "env:     source $KDIR/env.sh   (Ctrl-C / SIGTERM stops; SIGHUP restarts kube-apiserver)"

# --- supervise ----------------------------------------------------------------------------------
PARENT="${RXINFORMER_KUBE_PARENT_PID:-}"
while true; do
  if ((RESTART)); then
    RESTART=0
    log "restarting kube-apiserver on port $API_PORT"
    stop_pid "$API_PID" kube-apiserver
    API_PID=""
    ok=0
    # The old listener is gone once the process exited; retry a little in case the port lingers.
    for attempt in 1 2 3; do
      start_apiserver
      if wait_apiserver; then
        ok=1
        break
      fi
      sleep 1
    done
    if ((ok)); then
      write_env
      log "kube-apiserver restarted (pid $API_PID)"
      echo "RESTARTED"
    else
      tail -n 60 "$KDIR/kube-apiserver.log" >&2 || true
      echo "RESTART_FAILED"
      exit 1
    fi
  fi
  if ! kill -0 "$ETCD_PID" 2>/dev/null; then
    ETCD_PID=""
    tail -n 40 "$KDIR/etcd.log" >&2 || true
    die "etcd exited unexpectedly (log: $KDIR/etcd.log)"
  fi
  if ! kill -0 "$API_PID" 2>/dev/null; then
    API_PID=""
    tail -n 60 "$KDIR/kube-apiserver.log" >&2 || true
    die "kube-apiserver exited unexpectedly (log: $KDIR/kube-apiserver.log)"
  fi
  if [[ -n "$PARENT" ]] && ! kill -0 "$PARENT" 2>/dev/null; then
    log "parent process $PARENT is gone; stopping"
    break
  fi
  sleep 1 &
  SLEEP_PID=$!
  wait "$SLEEP_PID" 2>/dev/null || true
  SLEEP_PID=""
done
exit 0
