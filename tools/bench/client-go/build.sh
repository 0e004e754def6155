#!/usr/bin/env bash
# Builds the client-go subject from the Go module proxy and caches it by the hash of its sources.
# Prints the binary's path as its last line.
set -euo pipefail
cd "$(dirname "$0")"
CACHE_ROOT="${RXINFORMER_CACHE:-$HOME/.cache/rxinformer}"
HASH="$(cat main.go go.mod go.sum | sha256sum | cut -c1-12)"
BIN="$CACHE_ROOT/bench/client-go-v0.37.2-$HASH"
if [[ ! -x "$BIN" ]]; then
  mkdir -p "$CACHE_ROOT/bench"
  command -v go >/dev/null || { echo "go is not installed: the client-go subject needs Go >= 1.26" >&2; exit 2; }
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"
  go build -trimpath -ldflags "-s -w" -o "$BIN.tmp" . >&2
  mv "$BIN.tmp" "$BIN"
fi
echo "$BIN"
