#!/bin/bash
# Interop of our age library (through studio-age-tool) with the stock Debian
# age and age-keygen: each side decrypts what the other writes, keys made by
# either tool work with both, and damaged files get the right verdicts.
set -euo pipefail

tool="${STUDIO_BUILD_DIR:?}/tests/studio-age-tool"
src="${STUDIO_SOURCE_DIR:?}"
if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
        echo "SKIP: stock age/age-keygen not installed"
        exit 77
fi
[ -x "$tool" ] || { echo "FAIL: $tool not built"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# Verdict exit codes of studio-age-tool decrypt: 10 + enum age_verdict.
declare -A code=([not-age]=11 [no-match]=12 [header-mac]=13 [tampered]=14 [truncated]=15)

# --- keys -------------------------------------------------------------
age-keygen -o k1.txt 2>/dev/null
"$tool" keygen > k2.txt
age-keygen -o k3.txt 2>/dev/null
r1=$(age-keygen -y k1.txt); r2=$(age-keygen -y k2.txt); r3=$(age-keygen -y k3.txt)
[ "$("$tool" recipient -i k1.txt)" = "$r1" ] && pass "our recipient of an age-keygen identity" || fail "recipient of k1"
[ "$("$tool" recipient -i k2.txt)" = "$r2" ] && pass "age-keygen -y of our identity" || fail "recipient of k2"
grep -q "^# public key: $r2\$" k2.txt && pass "our keygen prints the public key comment" || fail "keygen comment"
printf '# escrow\n%s\n' "$r3" > recipients.txt

# --- payloads -----------------------------------------------------------
head -c 0 /dev/zero > p-empty
head -c 1 /dev/urandom > p-1
head -c 65536 /dev/urandom > p-64k
head -c 65537 /dev/urandom > p-64k1
head -c 200000 /dev/urandom > p-200k
head -c $((200 * 1024 * 1024)) /dev/urandom > p-200m

for p in p-empty p-1 p-64k p-64k1 p-200k p-200m; do
        want=$(sha "$p")
        # Ours -> stock age, one recipient.
        "$tool" encrypt -r "$r1" < "$p" > "$p.ours1.age"
        if age -d -i k1.txt "$p.ours1.age" > "$p.out" && [ "$(sha "$p.out")" = "$want" ]; then
                pass "age -d reads ours ($p, 1 recipient)"
        else
                fail "age -d reads ours ($p, 1 recipient)"
        fi
        # Ours -> stock age, three recipients (-r, -r, -R); each key opens it.
        "$tool" encrypt -r "$r1" -r "$r2" -R recipients.txt < "$p" > "$p.ours3.age"
        for k in k1 k2 k3; do
                if age -d -i $k.txt "$p.ours3.age" > "$p.out" && [ "$(sha "$p.out")" = "$want" ]; then
                        pass "age -d -i $k reads ours ($p, 3 recipients)"
                else
                        fail "age -d -i $k reads ours ($p, 3 recipients)"
                fi
        done
        # Stock age -> ours, to an age-keygen key and to our key.
        age -e -r "$r1" -r "$r2" -o "$p.age.age" "$p"
        for k in k1 k2; do
                if "$tool" decrypt -i $k.txt < "$p.age.age" > "$p.out" && [ "$(sha "$p.out")" = "$want" ]; then
                        pass "we read age -e ($p, -i $k)"
                else
                        fail "we read age -e ($p, -i $k)"
                fi
        done
        # Our reader agrees with our writer.
        if "$tool" decrypt -i k2.txt < "$p.ours3.age" > "$p.out" && [ "$(sha "$p.out")" = "$want" ]; then
                pass "we read ours ($p)"
        else
                fail "we read ours ($p)"
        fi
        rm -f "$p.out" "$p.ours1.age" "$p.ours3.age"
        [ "$p" = p-200k ] || rm -f "$p.age.age"
done

# --- golden files decrypt with stock age ----------------------------------
for g in "$src"/tests/data/age/*.age; do
        if age -d -i "$src/tests/data/age/kat.key" "$g" > golden.out &&
                "$tool" decrypt -i "$src/tests/data/age/kat.key" < "$g" | cmp -s - golden.out; then
                pass "age -d reads golden $(basename "$g")"
        else
                fail "age -d reads golden $(basename "$g")"
        fi
done

# --- damaged files ----------------------------------------------------------
# expect NAME FILE VERDICT [PLAINTEXT-BYTES]: our verdict (exit code and stderr).
expect() {
        local name=$1 file=$2 verdict=$3 bytes=${4:-0} rc=0
        "$tool" decrypt -i k1.txt < "$file" > out.bin 2> err.txt || rc=$?
        if [ "$rc" = "${code[$verdict]}" ] && grep -q "^studio-age-tool: $verdict: " err.txt &&
                [ "$(stat -c %s out.bin)" = "$bytes" ]; then
                pass "$name -> $verdict ($bytes bytes released)"
        else
                fail "$name -> expected $verdict/${code[$verdict]} with $bytes bytes, got rc=$rc $(stat -c %s out.bin) bytes: $(cat err.txt)"
        fi
        if age -d -i k1.txt "$file" > /dev/null 2>&1; then
                fail "$name: stock age accepted it"
        fi
}
flip() { # FILE OFFSET [MASK]: flips one bit (the low one by default) of one byte in place
        local b
        b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
        printf "\\$(printf %03o $((b ^ ${3:-1})))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

f=p-200k.age.age  # written by stock age: 3 full chunks and a short final one
mac_line=$(grep -a -b -m1 '^--- ' "$f" | cut -d: -f1)
payload=$((mac_line + 48 + 16))
enc=65552
size=$(stat -c %s "$f")

for c in 0 1 2 3; do
        head -c $((payload + c * enc)) "$f" > cut.age
        expect "cut after chunk $c" cut.age truncated $((c * 65536))
        head -c $((payload + c * enc + 1000)) "$f" > cut.age
        expect "cut 1000 bytes into chunk $c" cut.age truncated $((c * 65536))
done
for c in 0 1 2; do
        cp "$f" bad.age; flip bad.age $((payload + c * enc + 500))
        expect "bit flipped in chunk $c" bad.age tampered $((c * 65536))
done
cp "$f" bad.age; flip bad.age $((size - 1))
expect "bit flipped in the short final chunk" bad.age truncated $((3 * 65536))
# In the MAC, flip the case bit of a letter, so that the base64 stays valid.
mac_b64=$(head -c $((mac_line + 47)) "$f" | tail -c 43)
for ((i = 0; i < 42; i++)); do
        case ${mac_b64:i:1} in [A-Za-z]) break ;; esac
done
cp "$f" bad.age; flip bad.age $((mac_line + 4 + i)) 32
expect "bit flipped in the header MAC" bad.age header-mac
cp "$f" bad.age; flip bad.age 2
expect "bit flipped in the version line" bad.age not-age
cp "$f" bad.age; printf 'x' >> bad.age
expect "a byte appended" bad.age truncated $((3 * 65536))
"$tool" encrypt -r "$r3" < p-1 > other.age
expect "another recipient's file" other.age no-match
head -c 1000 /dev/urandom > random.bin
expect "random bytes" random.bin not-age

if [ "$fails" -gt 0 ]; then
        echo "$fails interop check(s) failed"
        exit 1
fi
echo "all age interop checks passed"
