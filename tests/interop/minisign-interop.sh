#!/bin/bash
# studio-keys / studio_minisign against stock minisign, both directions.
set -euo pipefail
command -v minisign >/dev/null || { echo "SKIP: minisign not installed"; exit 77; }
K="$STUDIO_BUILD_DIR/keys/studio-keys"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Ours signs, stock verifies.
"$K" device-init --dir dev --device-id studio-interop >/dev/null
head -c 100000 /dev/urandom > media.bin
"$K" sign --key dev/device.key --comment "session 1" media.bin 2>/dev/null
minisign -V -p dev/device.pub -m media.bin | grep -q "Trusted comment: session 1" || fail "stock minisign rejects our signature"
minisign -V -P "$(tail -1 dev/device.pub)" -m media.bin -q || fail "stock minisign rejects our -P key"

# Stock makes keys and signs (prehashed and legacy), ours verifies.
minisign -G -W -f -p stock.pub -s stock.key >/dev/null
echo "manifest" > m.json
minisign -S -s stock.key -m m.json -t "stock comment" </dev/null >/dev/null
"$K" verify --pub stock.pub m.json | grep -q "Trusted comment: stock comment" || fail "we reject stock signature"
cp m.json legacy.json
minisign -S -l -s stock.key -m legacy.json -t "stock legacy" </dev/null >/dev/null
"$K" verify --pub stock.pub legacy.json >/dev/null || fail "we reject stock legacy signature"

# Ours signs with a stock-made key; stock verifies.
echo "record" > r.txt
"$K" sign --key stock.key r.txt 2>/dev/null
minisign -V -p stock.pub -m r.txt -q || fail "stock rejects our signature with its key"

# Wrong key is rejected by both.
if "$K" verify --pub dev/device.pub m.json 2>/dev/null; then fail "we accepted the wrong key"; fi
if minisign -V -p stock.pub -m media.bin -q 2>/dev/null; then fail "stock accepted the wrong key"; fi

# Tampered files are rejected by both.
echo x >> media.bin
if minisign -V -p dev/device.pub -m media.bin -q 2>/dev/null; then fail "stock accepted a tampered file"; fi
if "$K" verify --pub dev/device.pub media.bin 2>/dev/null; then fail "we accepted a tampered file"; fi
echo x >> m.json
if "$K" verify --pub stock.pub m.json 2>/dev/null; then fail "we accepted a tampered stock-signed file"; fi
sed -i 's/trusted comment: stock/trusted comment: Stock/' legacy.json.minisig
if "$K" verify --pub stock.pub legacy.json 2>/dev/null; then fail "we accepted a tampered trusted comment"; fi
if minisign -V -p stock.pub -m legacy.json -q 2>/dev/null; then fail "stock accepted a tampered trusted comment"; fi

# The rotation record verifies with stock minisign.
"$K" device-rotate --dir dev >/dev/null
minisign -V -p dev/device.pub.old -m dev/device.pub -x dev/device.pub.new.minisig | grep -q "rotation from" \
        || fail "stock minisign rejects the rotation record"
echo "PASS"
