#!/usr/bin/env bash
# studio-intake as a service (docs/intake.md, "Running it"): the daemon
# under systemd's Type=notify protocol (tests/systemd/notify-run.py: READY=1
# once the first pass has written the records, WATCHDOG=1 pings, STOPPING=1
# and exit 0 on SIGTERM, under MemoryDenyWriteExecute), and the unit as
# installed: systemd-analyze verify clean, its exposure, its own user.
. "$(dirname "$0")/lib.sh"
for t in systemd-analyze systemd-sysusers; do
  command -v $t >/dev/null || { echo "skip: $t is missing (apt-get install systemd)"; exit 77; }
done
A=$(mk --session-id 20261201T090000Z-0000000a)
upload
sed -i 's/^index = .*/index = index.sqlite\ninterval = 1s/' intake.conf
if python3 "$STUDIO_SOURCE_DIR/tests/systemd/notify-run.py" --mdwe --watchdog-usec 1000000 --pings 3 \
     --ready-check "test -f '$(rec $A).minisig'" -- "$INTAKE" --config intake.conf >notify.out 2>&1; then
  pass "the daemon keeps the notify protocol: READY=1 after the first pass, watchdog, STOPPING=1, exit 0"
else
  fail "the daemon's notify protocol: $(tail -n 5 notify.out)"
fi
check "... its first pass wrote the record before READY=1" minisign -Vqm "$(rec $A)" -p ik/intake.pub
check "... its status names the sessions" grep -q "notify: STATUS=1 session(s) with records, 0 alert(s)" notify.out
B=$(mk --session-id 20261201T091000Z-0000000b)
upload
python3 "$STUDIO_SOURCE_DIR/tests/systemd/notify-run.py" --watchdog-usec 1000000 --pings 1 \
  --ready-check "for i in \$(seq 600); do test -f '$(rec $B).minisig' && exit 0; sleep 0.1; done; exit 1" \
  -- "$INTAKE" --config intake.conf >notify2.out 2>&1 || true
check "a session that arrives while the daemon runs gets its record at the next pass" minisign -Vqm "$(rec $B)" -p ik/intake.pub

# --- the unit, as installed
R=$WORK/root
DESTDIR=$R cmake --install "$STUDIO_BUILD_DIR" --prefix /usr >install.log 2>&1 || { cat install.log >&2; fail "cmake --install"; finish; exit 1; }
U=$R/usr/lib/systemd/system
check "studio-intake.service is installed" test -f "$U/studio-intake.service"
check "/usr/bin/studio-intake is installed" test -x "$R/usr/bin/studio-intake"
check "docs/intake.md is installed (the unit's Documentation=)" test -f "$R/usr/share/doc/studio/intake.md"
key() { grep -qx "$1" "$U/studio-intake.service"; }
check "Type=notify with a watchdog, restarted on failure" bash -c "grep -qx Type=notify '$U/studio-intake.service' && grep -q '^WatchdogSec=[0-9]' '$U/studio-intake.service' && grep -qx Restart=on-failure '$U/studio-intake.service'"
check "User=studio-intake" key User=studio-intake
check "no devices, no new privileges, W^X" bash -c "grep -qx PrivateDevices=yes '$U/studio-intake.service' && grep -qx NoNewPrivileges=yes '$U/studio-intake.service' && grep -qx MemoryDenyWriteExecute=yes '$U/studio-intake.service'"
cp -a --no-clobber /usr/lib/systemd/system/. "$U/"
if systemd-analyze verify --root="$R" studio-intake.service >verify.out 2>&1 && ! [ -s verify.out ]; then
  pass "systemd-analyze verify studio-intake.service: clean"
else
  fail "systemd-analyze verify studio-intake.service: $(cat verify.out)"
fi
score=$(systemd-analyze security --offline=yes --root="$R" studio-intake.service 2>/dev/null \
  | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "exposure: studio-intake.service $score (at most 2.0)"
check "exposure ${score:-unknown} <= 2.0 (as the uploader's)" python3 -c "import sys; sys.exit(not (sys.argv[1] and float(sys.argv[1]) <= 2.0))" "$score"
systemd-sysusers --root="$R" >sysusers.log 2>&1 || fail "systemd-sysusers --root: $(cat sysusers.log)"
check "user studio-intake exists, with no login shell" grep -q '^studio-intake:x:[0-9]*:[0-9]*:[^:]*:/var/lib/studio-intake:/usr/sbin/nologin$' "$R/etc/passwd"
finish
