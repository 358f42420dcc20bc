#!/usr/bin/env bash
# The units as installed: `cmake --install` of this build into a root
# folder (with the host's own systemd units beside them, as on the
# appliance), then systemd's own tools on that root:
#   - systemd-analyze verify passes on every unit and prints nothing (a
#     warning fails; a unit with a typo proves the check can fail);
#   - systemd-analyze security: exposure <= 2.0 for status and uploader,
#     <= 3.0 for the recorder (the scores are printed: docs/systemd.md);
#   - systemd-sysusers creates the users, groups and memberships;
#   - systemd-tmpfiles creates the folders with their owners and modes.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for t in systemd-analyze systemd-sysusers systemd-tmpfiles; do
  command -v $t >/dev/null || { echo "SKIP: $t is missing (apt-get install systemd)"; exit 77; }
done
UNITS=(studio-recorder.service studio-status.service studio-uploader.service studio-provision.service)
R=$WORK/root
DESTDIR=$R cmake --install "$STUDIO_BUILD_DIR" --prefix /usr >"$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log" >&2; fail "cmake --install into $R"; finish; exit 1; }
U=$R/usr/lib/systemd/system
for u in "${UNITS[@]}"; do check "$u is installed into /usr/lib/systemd/system" test -f "$U/$u"; done
check "sysusers.d and tmpfiles.d are installed" test -f "$R/usr/lib/sysusers.d/studio.conf" -a -f "$R/usr/lib/tmpfiles.d/studio.conf"
check "the configuration is installed as /etc/studio/studio.conf" cmp -s "$R/etc/studio/studio.conf" "$STUDIO_SOURCE_DIR/systemd/studio.conf"
for b in studio-recorder studio-status studio-uploader studio-provision; do
  check "/usr/bin/$b (the units' ExecStart) is installed" test -x "$R/usr/bin/$b"
done
# The contract each unit keeps (docs/systemd.md)
key() { grep -qx "$2" "$U/$1"; }
for d in recorder status uploader; do
  u=studio-$d.service
  check "$u: ExecStart=/usr/bin/studio-$d --config /etc/studio/studio.conf" key $u "ExecStart=/usr/bin/studio-$d --config /etc/studio/studio.conf"
  check "$u: User=studio-$d" key $u "User=studio-$d"
  check "$u: Type=notify, WatchdogSec=, Restart=on-failure" \
    bash -c "grep -qx Type=notify '$U/$u' && grep -q '^WatchdogSec=[0-9]' '$U/$u' && grep -qx Restart=on-failure '$U/$u'"
done
check "the recorder has no network and closed devices" \
  bash -c "grep -qx PrivateNetwork=yes '$U/studio-recorder.service' && grep -qx DevicePolicy=closed '$U/studio-recorder.service'"
check "the uploader has no devices" key studio-uploader.service PrivateDevices=yes
check "the recorder has its own run-time folder, readable by the status daemon" \
  bash -c "grep -qx RuntimeDirectory=studio-recorder '$U/studio-recorder.service' && grep -qx RuntimeDirectoryMode=0755 '$U/studio-recorder.service'"
check "the uploader has its own run-time folder, readable by the status daemon and the recorder" \
  bash -c "grep -qx RuntimeDirectory=studio-uploader '$U/studio-uploader.service' && grep -qx RuntimeDirectoryMode=0755 '$U/studio-uploader.service'"
check "the status daemon writes nothing: no run-time folder" bash -c "! grep -q '^RuntimeDirectory=' '$U/studio-status.service'"
check "the shipped studio.conf's files are in those folders" \
  bash -c "grep -qx '#state_file = /run/studio-recorder/state.json' '$STUDIO_SOURCE_DIR/systemd/studio.conf' && grep -qx '#socket = /run/studio-recorder/recorder.sock' '$STUDIO_SOURCE_DIR/systemd/studio.conf' && grep -qx '#backlog_file = /run/studio-uploader/backlog.json' '$STUDIO_SOURCE_DIR/systemd/studio.conf'"
check "the status daemon cannot see the spool or the keys" \
  bash -c "grep -q '^InaccessiblePaths=/var/spool/studio /var/lib/studio ' '$U/studio-status.service' && ! grep -q '^ReadWritePaths=' '$U/studio-status.service'"

# The targets, sockets and slices the units depend on come from the host's systemd.
cp -a --no-clobber /usr/lib/systemd/system/. "$U/"

# --- verify: exit 0 and not one line of output
verify() { systemd-analyze verify --root="$R" "$@" >"$WORK/verify.out" 2>&1 && ! [ -s "$WORK/verify.out" ]; }
for u in "${UNITS[@]}"; do
  if verify "$u"; then pass "systemd-analyze verify $u: clean"; else fail "systemd-analyze verify $u:"; cat "$WORK/verify.out" >&2; fi
done
sed 's/^ProtectHome=yes/ProtectHme=yes/' "$U/studio-status.service" >"$U/studio-typo.service"
refused() { ! verify "$@"; }
check "verify reports a unit with a misspelt key (the check can fail)" refused studio-typo.service
rm "$U/studio-typo.service"
mv "$R/usr/bin/studio-status" "$WORK/studio-status.away"
check "verify reports a unit whose ExecStart binary is missing" refused studio-status.service
mv "$WORK/studio-status.away" "$R/usr/bin/studio-status"

# --- security: the overall exposure of each unit, and the threshold
exposure() { # exposure UNIT: prints the score
  systemd-analyze security --offline=yes --root="$R" "$1" 2>/dev/null \
    | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
# --threshold counts in tenths (2.0 is 20); it exits non-zero above it
threshold() { python3 -c "print(round(float('$1') * 10))"; }
within_threshold() { systemd-analyze security --offline=yes --root="$R" --threshold="$(threshold "$2")" "$1" >/dev/null 2>&1; }
check "--threshold=5 (0.5) refuses the recorder's 0.8 (the check can fail)" bash -c "! systemd-analyze security --offline=yes --root='$R' --threshold=5 studio-recorder.service >/dev/null 2>&1"
for pair in studio-recorder.service:3.0 studio-status.service:2.0 studio-uploader.service:2.0 studio-provision.service:3.0; do
  u=${pair%%:*} max=${pair#*:}
  score=$(exposure "$u")
  echo "exposure: $u $score (at most $max)"
  check "$u exposure ${score:-unknown} <= $max" python3 -c "import sys; sys.exit(not (sys.argv[1] and float(sys.argv[1]) <= float(sys.argv[2])))" "$score" "$max"
  check "$u passes systemd-analyze security --threshold=$(threshold "$max")" within_threshold "$u" "$max"
done

# --- users and groups
systemd-sysusers --root="$R" >"$WORK/sysusers.log" 2>&1 || { cat "$WORK/sysusers.log" >&2; fail "systemd-sysusers --root"; }
members() { awk -F: -v g="$1" '$1 == g { print $4 }' "$R/etc/group"; }
for u in studio-recorder studio-uploader studio-status; do
  check "user $u exists, with no login shell" bash -c "grep -q '^$u:x:[0-9]*:[0-9]*:[^:]*:[^:]*:/usr/sbin/nologin$' '$R/etc/passwd'"
done
check "studio-spool holds exactly the recorder and the uploader" test "$(members studio-spool)" = "studio-recorder,studio-uploader"
for g in video audio input studio-admin; do
  check "the recorder is in $g" bash -c "members() { awk -F: -v g=\"\$1\" '\$1 == g { print \$4 }' '$R/etc/group'; }; members $g | tr , '\n' | grep -qx studio-recorder"
done
check "the status user is in no shared group" bash -c "! grep -E '^[^:]+:x:[0-9]+:.*studio-status' '$R/etc/group'"

# --- folders, owners and modes (ids as the root's own passwd and group say)
systemd-tmpfiles --root="$R" --create >"$WORK/tmpfiles.log" 2>&1 || { cat "$WORK/tmpfiles.log" >&2; fail "systemd-tmpfiles --root --create"; }
uid() { awk -F: -v n="$1" '$1 == n { print $3 }' "$R/etc/passwd"; }
gid() { awk -F: -v n="$1" '$1 == n { print $3 }' "$R/etc/group"; }
is() { # is PATH MODE USER GROUP
  local want got
  want="$2 $(uid "$3" || true) $(gid "$4")"
  [ "$3" = root ] && want="$2 0 $(gid "$4")"
  got=$(stat -c '%a %u %g' "$R$1")
  [ "$got" = "$want" ] || { echo "$1: $got, wanted $want" >&2; return 1; }
}
check "/var/spool/studio is 2770 studio-recorder:studio-spool" is /var/spool/studio 2770 studio-recorder studio-spool
check "/var/lib/studio/state is 700 studio-recorder's" is /var/lib/studio/state 700 studio-recorder studio-recorder
check "/var/lib/studio/keys is 750 root:studio-recorder" is /var/lib/studio/keys 750 root studio-recorder
# No shared run-time folder: each daemon its own (issue 20), so that the
# uploader's user cannot plant the recorder's state file or socket.
check "tmpfiles.d makes no shared /run/studio" test ! -e "$R/run/studio"
check "no unit names the shared /run/studio" bash -c "! grep -En '/run/studio([^-]|\$)' '$U'/studio-*.service"
finish
