#!/usr/bin/env bash
# The command-line tools print their errors, warnings and notes through
# log.h (issue 21): log_init("PROGRAM") in main, then log_error() and the
# rest, so every line on stderr carries the one program prefix, is escaped
# and goes to the journal with its level under systemd. This keeps it so:
# no direct write to stderr and no hand-written "PROGRAM: " prefix in
# studio-export, studio-provision, studioctl, studio-verify and studio-keys,
# nor in the libraries of theirs that live under appliance/ (keygen, bundle,
# registry, officers, minisign).
# Results (reports, listings, records) stay on stdout and are not checked.
set -euo pipefail
cd "${STUDIO_SOURCE_DIR:?run through ctest}"
status=0
files=$(git ls-files --cached --others --exclude-standard 'appliance/export/*.c' 'appliance/provision/*.c' \
          'appliance/ctl/*.c' 'appliance/verify/*.c' 'keys/*.c' 'appliance/keygen/*.c' 'appliance/bundle/*.c' \
          'appliance/registry/*.c' 'appliance/officers/*.c' 'appliance/minisign/*.c' 2>/dev/null || \
        find appliance/export appliance/provision appliance/ctl appliance/verify keys appliance/keygen \
          appliance/bundle appliance/registry appliance/officers appliance/minisign -name '*.c')

# What may still touch stderr, as "file:text of the line": the usage text on
# a wrong command line, and the PIN prompt on the terminal (not a message).
allowed=(
  'appliance/verify/main.c:fputs(usage_text, stderr);'
  'appliance/keygen/key-files.c:fputs(prompt, stderr);'
  'appliance/keygen/key-files.c:fflush(stderr);'
  "appliance/keygen/key-files.c:fputc('\\n', stderr);"
)
direct='\bstderr\b|STDERR_FILENO|\bg_printerr\s*\(|\bperror\s*\(|\b(warn|warnx|err|errx|error)\s*\(|dprintf\s*\(\s*2\s*,'
while IFS= read -r hit; do
  [ -n "$hit" ] || continue
  file=${hit%%:*}
  rest=${hit#*:}
  text=$(echo "${rest#*:}" | sed -e 's/^[[:space:]]*//')
  ok=0
  for a in "${allowed[@]}"; do
    if [ "$a" = "$file:$text" ]; then ok=1; fi
  done
  if [ "$ok" -eq 0 ]; then
    if [ "$status" -eq 0 ]; then echo "stderr written directly (use log_error/log_warning/log_notice, log.h):"; fi
    echo "  $hit"
    status=1
  fi
done < <(grep -nE "$direct" $files | grep -vE '^[^:]+:[0-9]+:\s*(/\*|\*)' || true)

prefix='"(studio-export|studio-verify|studio-keys|studio-provision|studioctl)( %s)?: '
if hits=$(grep -nE "$prefix" $files); then
  echo "hand-written program prefix (log_init gives it):"
  echo "$hits"
  status=1
fi

# each tool names itself to log.h once, in main
for want in 'appliance/export/main.c:studio-export' 'appliance/verify/main.c:studio-verify' \
            'keys/studio-keys.c:studio-keys' 'appliance/ctl/main.c:studioctl' \
            'appliance/provision/main.c:PROV_NAME'; do
  f=${want%%:*} name=${want#*:}
  if ! grep -qE "log_init\(\"?$name\"?, LOG_TARGET_AUTO\)" "$f"; then
    echo "$f: no log_init($name, LOG_TARGET_AUTO) in main"
    status=1
  fi
done

checked=$(echo "$files" | wc -w)
if [ "$status" -eq 0 ]; then echo "cli-log: $checked files print through log.h"; fi
exit "$status"
