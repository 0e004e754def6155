#!/usr/bin/env bash
# Builds kube-apiserver, kubectl (k8s.io/kubernetes) and etcd (go.etcd.io/etcd/server/v3)
# from the Go module proxy, into a cache directory keyed by their versions:
#
#   ${RXINFORMER_CACHE:-$HOME/.cache/rxinformer}/kube/<k8s>-etcd<etcd>/bin/{kube-apiserver,etcd,kubectl}
#
# Idempotent: if the three binaries are already there it prints the directory and exits at once
# (without even running `go`). The last line printed on success is always the bin directory.
#
# Environment:
#   RXINFORMER_CACHE   cache root (default $HOME/.cache/rxinformer)
#   KUBE_BUILD_FORCE=1 rebuild even if the binaries exist
#   KUBE_BUILD_TIMEOUT seconds allowed per `go build` (default 3600)
#
# Usage:
#   build.sh           build what is missing, print the bin directory last
#   build.sh --check   build nothing: print the bin directory, exit 0 if all three binaries are
#                      there, else name the missing ones on stderr and exit 3
set -euo pipefail

MODE=build
case "${1:-}" in
  "") ;;
  --check) MODE=check ;;
  -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() {
  echo "kube-apiserver/build.sh: ERROR: $*" >&2
  exit 1
}

# --- versions: read from the committed go.mod files (no `go` needed for the fast path) --------
K8S_VERSION="$(sed -n 's/^[[:space:]]*k8s\.io\/kubernetes \(v[0-9][^ ]*\).*/\1/p' "$HERE/go.mod" | head -n1)"
ETCD_VERSION="$(sed -n 's/^[[:space:]]*go\.etcd\.io\/etcd\/server\/v3 \(v[0-9][^ ]*\).*/\1/p' "$HERE/etcd/go.mod" | head -n1)"
[[ -n "$K8S_VERSION" ]] || die "could not read the k8s.io/kubernetes version from $HERE/go.mod"
[[ -n "$ETCD_VERSION" ]] || die "could not read the go.etcd.io/etcd/server/v3 version from $HERE/etcd/go.mod"

# Major/minor for the version ldflags (k8s.io/component-base/version.gitMajor/gitMinor).
K8S_MAJOR="$(echo "$K8S_VERSION" | sed -n 's/^v\([0-9]*\)\..*/\1/p')"
K8S_MINOR="$(echo "$K8S_VERSION" | sed -n 's/^v[0-9]*\.\([0-9]*\)\..*/\1/p')"

CACHE_ROOT="${RXINFORMER_CACHE:-$HOME/.cache/rxinformer}"
KEY="${K8S_VERSION}-etcd${ETCD_VERSION#v}"
BIN="$CACHE_ROOT/kube/$KEY/bin"
BINARIES=(kube-apiserver kubectl etcd)

have_all() {
  local b
  for b in "${BINARIES[@]}"; do
    [[ -x "$BIN/$b" ]] || return 1
  done
  return 0
}

if [[ "$MODE" == check ]]; then
  missing=()
  for b in "${BINARIES[@]}"; do
    [[ -x "$BIN/$b" ]] || missing+=("$BIN/$b")
  done
  echo "$BIN"
  if ((${#missing[@]})); then
    echo "kube-apiserver/build.sh: missing: ${missing[*]}" >&2
    echo "  Fix: bash tools/kube-apiserver/build.sh   (cold build: 5-10 minutes)" >&2
    exit 3
  fi
  exit 0
fi

if [[ "${KUBE_BUILD_FORCE:-0}" != "1" ]] && have_all; then
  echo "$BIN"
  exit 0
fi

# --- prerequisites --------------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    die "'go' was not found on PATH.
  Fix: install Go >= 1.26 (e.g. into /usr/local/go) and put its bin directory on PATH, then re-run:
    bash tools/kube-apiserver/build.sh"
  fi
fi

# Never let `go` download a different toolchain (that would be a prebuilt binary download).
export GOTOOLCHAIN=local
GO_VER="$(go env GOVERSION 2>/dev/null || true)"
GO_MINOR="$(echo "$GO_VER" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
if [[ -z "$GO_MINOR" || "$GO_MINOR" -lt 26 ]]; then
  die "Go >= 1.26 is required (k8s.io/kubernetes $K8S_VERSION declares 'go 1.26.0'); found '${GO_VER:-unknown}'.
  Fix: install Go 1.26 or newer and put it first on PATH, then re-run: bash tools/kube-apiserver/build.sh"
fi

mkdir -p "$CACHE_ROOT/kube/$KEY" || die "cannot create cache directory $CACHE_ROOT/kube/$KEY
  Fix: set RXINFORMER_CACHE to a writable directory."

# --- serialize concurrent builds (e.g. several test workers calling this at once) ---------------
LOCK="$CACHE_ROOT/kube/$KEY/.build.lock"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$LOCK"
  if ! flock -w "${KUBE_BUILD_TIMEOUT:-3600}" 9; then
    die "timed out waiting for another build holding $LOCK"
  fi
  # Someone else may have finished the build while we waited.
  if [[ "${KUBE_BUILD_FORCE:-0}" != "1" ]] && have_all; then
    echo "$BIN"
    exit 0
  fi
fi

TMP="$(mktemp -d "$CACHE_ROOT/kube/$KEY/.tmp.XXXXXX")"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

TIMEOUT="${KUBE_BUILD_TIMEOUT:-3600}"
export CGO_ENABLED=0
# -mod=readonly: never rewrite the committed go.mod/go.sum while building.
export GOFLAGS="-mod=readonly -buildvcs=false"

run_build() { # <what> <dir> <go build args...>
  local what="$1" dir="$2"
  shift 2
  local start=$SECONDS
  echo "kube-apiserver/build.sh: building $what..." >&2
  if ! (cd "$dir" && timeout "$TIMEOUT" go build "$@" >&2); then
    die "building $what failed (see the go output above).
  Command: (cd $dir && CGO_ENABLED=0 GOFLAGS='$GOFLAGS' go build $(printf '%q ' "$@"))
  Fixes: check that the Go module proxy is reachable ('go env GOPROXY'), that the disk has ~3 GiB
  free for GOMODCACHE/GOCACHE, that go.mod/go.sum are unmodified (run 'go mod tidy' in
  tools/kube-apiserver and tools/kube-apiserver/etcd if dependencies were changed on purpose),
  and raise KUBE_BUILD_TIMEOUT (now ${TIMEOUT}s) if it was killed by the timeout."
  fi
  echo "kube-apiserver/build.sh: built $what in $((SECONDS - start))s" >&2
}

T0=$SECONDS
echo "kube-apiserver/build.sh: building into $BIN (cold on 2 cores: ~5 min, ~10 min if modules must be downloaded too)" >&2
V=k8s.io/component-base/version
CV=k8s.io/client-go/pkg/version
KUBE_LDFLAGS="-s -w"
for p in "$V" "$CV"; do
  KUBE_LDFLAGS+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=$K8S_MAJOR -X $p.gitMinor=$K8S_MINOR"
  KUBE_LDFLAGS+=" -X $p.gitTreeState=clean -X $p.gitCommit="
done

# kube-apiserver and kubectl share one module: build both in one go invocation so the
# compiler shares work (go build runs the compile steps in parallel on all cores itself).
run_build "kube-apiserver + kubectl $K8S_VERSION" "$HERE" \
  -trimpath -ldflags "$KUBE_LDFLAGS" -o "$TMP/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl

run_build "etcd $ETCD_VERSION" "$HERE/etcd" \
  -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-proxy" \
  -o "$TMP/etcd" go.etcd.io/etcd/server/v3

# sanity: each binary runs and reports the expected version. The output is captured first:
# `cmd | grep -q` under pipefail fails at random when grep exits before cmd has written its
# last line (SIGPIPE), as kubectl's two-line version output shows.
reports() { # binary, expected text, args...
  local bin=$1 want=$2 out
  shift 2
  out="$("$bin" "$@" 2>&1)" || true
  [[ "$out" == *"$want"* ]] || die "built $(basename "$bin") does not report $want: ${out%%$'\n'*}"
}
reports "$TMP/kube-apiserver" "Kubernetes $K8S_VERSION" --version
reports "$TMP/kubectl" "$K8S_VERSION" version --client
reports "$TMP/etcd" "etcd Version: ${ETCD_VERSION#v}" --version

mkdir -p "$BIN"
for b in "${BINARIES[@]}"; do
  mv -f "$TMP/$b" "$BIN/$b"
done
echo "kube-apiserver/build.sh: done in $((SECONDS - T0))s" >&2
echo "$BIN"
