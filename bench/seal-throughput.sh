#!/bin/bash
# Sealing throughput: our age writer (studio-age-tool from a normal,
# non-sanitizer build) against stock `age -e`, on the same 1 GiB input.
# Prints user+sys CPU seconds of each and the speed ratio (ours vs age;
# the target is >= 1.0). Not a test: figures only.
#   usage: bench/seal-throughput.sh BUILD_DIR [SIZE_MIB]
set -euo pipefail

build=${1:?usage: seal-throughput.sh BUILD_DIR [SIZE_MIB]}
mib=${2:-1024}
tool="$build/tests/studio-age-tool"
[ -x "$tool" ] || { echo "no $tool: build the studio-age-tool target first" >&2; exit 1; }
command -v age >/dev/null || { echo "stock age is not installed" >&2; exit 1; }
if grep -q -- '-fsanitize' "$build/CMakeCache.txt" 2>/dev/null &&
        grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt"; then
        echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/key.txt")

# One input for both, generated once (urandom, so nothing compresses or
# short-circuits).
head -c $((mib * 1024 * 1024)) /dev/urandom > "$work/input"
cat "$work/input" > /dev/null   # warm the page cache for both runs

# cpu_seconds CMD...: user+sys CPU seconds of CMD < input > /dev/null.
cpu_seconds() {
        local t
        t=$( { /usr/bin/time -f '%U %S' "$@" < "$work/input" > /dev/null; } 2>&1 | tail -1)
        awk '{ printf "%.2f", $1 + $2 }' <<< "$t"
}

best() { # best of 3 runs, to damp noise from a shared machine
        local b="" s
        for _ in 1 2 3; do
                s=$(cpu_seconds "$@")
                if [ -z "$b" ] || awk -v s="$s" -v b="$b" 'BEGIN { exit !(s < b) }'; then b=$s; fi
        done
        echo "$b"
}

ours=$(best "$tool" encrypt -r "$recipient")
stock=$(best age -e -r "$recipient")
echo "input: ${mib} MiB"
awk -v o="$ours" -v s="$stock" -v m="$mib" 'BEGIN {
        printf "studio-age-tool: %6.2f s CPU (user+sys)  %7.0f MiB/s\n", o, (o > 0 ? m / o : 0);
        printf "age -e:          %6.2f s CPU (user+sys)  %7.0f MiB/s\n", s, (s > 0 ? m / s : 0);
        printf "speed ratio (ours vs age): %.2fx (target >= 1.0x)\n", (o > 0 ? s / o : 0);
}'
