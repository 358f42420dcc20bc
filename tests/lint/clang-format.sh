#!/usr/bin/env bash
# One .clang-format for the tree: every C file we track is formatted by it.
# Fix with: git ls-files '*.c' '*.h' | xargs clang-format -i
set -euo pipefail
cd "${STUDIO_SOURCE_DIR:?run through ctest}"
command -v clang-format >/dev/null || { echo "clang-format is not installed (./run test installs it)"; exit 1; }
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]')
if ! out=$(clang-format --dry-run --Werror $files 2>&1); then
  echo "$out" | grep -E '^[^ ].*(warning|error):' | head -n 20
  echo "not formatted as .clang-format says: run  git ls-files '*.c' '*.h' | xargs clang-format -i"
  exit 1
fi
echo "$(echo "$files" | wc -w) files formatted as .clang-format says"
