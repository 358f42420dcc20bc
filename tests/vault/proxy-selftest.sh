#!/usr/bin/env bash
# tests/vault/proxy.py against a small keep-alive server (no Ceph needed):
# see proxy-selftest.py.
set -euo pipefail
: "${STUDIO_SOURCE_DIR:?run through ctest (./run test)}"
exec python3 "$STUDIO_SOURCE_DIR/tests/vault/proxy-selftest.py"
