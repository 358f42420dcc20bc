#!/usr/bin/env bash
# No production source file (appliance/, keys/) over 600 lines (issue 21):
# a file that grows past it holds more than one purpose; split it.
set -euo pipefail
cd "${STUDIO_SOURCE_DIR:?run through ctest}"
limit=600
found=0
while IFS= read -r f; do
  n=$(wc -l <"$f")
  if [ "$n" -gt "$limit" ]; then
    echo "$f: $n lines (at most $limit)"
    found=1
  fi
done < <(git ls-files 'appliance/*.c' 'appliance/*.h' 'keys/*.c' 'keys/*.h' 2>/dev/null || find appliance keys -name '*.[ch]')
if [ "$found" = 1 ]; then
  echo "Split each file above along its purposes (one file, one purpose; see docs/architecture.md)."
  exit 1
fi
