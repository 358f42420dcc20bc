#!/usr/bin/env bash
# The full system under a real kernel (QEMU TCG: this machine's KVM cannot
# run a Debian kernel), in three boots of one disk:
# 1. unprovisioned: it reaches multi-user.target, the status page answers
#    through QEMU's user-mode network, the three daemons run each as its own
#    user, the VM's vivid camera and ALSA loopback card exist; ACPI power-off.
# 2. with police IT's signed bundle on a drive labelled STUDIO-PROV:
#    provisioning applies it (the vault: the host's Ceph RGW behind a TLS
#    terminator), the enrolment record is on the console, the room is Free.
#    On the virtual keypad (QMP into the virtio keyboard): officer number,
#    PIN, Start; In session; 30 s; Mark; Stop held. The session arrives in
#    the vault, and studio-verify on the host says INTACT for the copy
#    downloaded with awscli; the session-start entry names the vivid camera
#    and the loopback card. A second session, and 20 s into it the plug is
#    pulled (QMP quit).
# 3. the same disk again: the recorder recovers the session, it arrives in
#    the vault, and verifies TRUNCATED with an intact prefix and a tail
#    within one checkpoint interval.
# Prints the build, boot and scenario times. Everything it starts is stopped
# by PID and its files removed; docs/police-it.md "The VM test".
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for tool in qemu-system-x86_64 debootstrap curl python3 minisign; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is missing: apt-get install qemu-system-x86 debootstrap curl python3 minisign (./run test does)" >&2
    exit 77
  fi
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: building the image needs root" >&2; exit 77; }

command -v openssl >/dev/null || { echo "SKIP: openssl is missing: apt-get install openssl" >&2; exit 77; }
# The guest's vault: the vault tests' throwaway Ceph RGW (skips without it).
source "$STUDIO_SOURCE_DIR/tests/vault/vault-lib.sh"
source "$STUDIO_SOURCE_DIR/tests/image/vm-lib.sh"

sntp_pid= proxy_pid=
# A failing run says why (on any exit: a failed check, or a command that
# stopped the script under set -e): the room as the guest's status page
# showed it (its state document and attention reasons), the guest's
# console, and its journal read from the powered-off disk.
explained=
explain_failure() {
  [ -z "$explained" ] || return 0
  explained=1
  echo "--- the room's state document as the guest's status page showed it last ---"
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then page_answers || true; fi
  if [ -s "$WORK/status.json" ]; then
    cat "$WORK/status.json"; echo
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("state:", d.get("state"), "| attention:", "; ".join(d.get("attention") or []) or "none")' \
      "$WORK/status.json" 2>&1 || true
  else
    echo "(the status page never answered)"
  fi
  for log in "$WORK"/serial*.log; do
    [ -e "$log" ] || continue
    echo "--- $(basename "$log"): the recorder's and uploader's messages on the guest's console ---"
    grep -a "STUDIO-VM journal" "$log" | tr -d '\r' | tail -n 60 || true
    echo "--- $(basename "$log"): the guest's console (last 60 lines) ---"
    tail -n 60 "$log" | tr -d '\r'
  done
  # The guest's whole journal (persistent in /var/log/journal), read on the
  # host from the powered-off disk: what happened before the probe's report.
  stop_vm
  if [ -e "$WORK/image/image.ext4" ] && command -v debugfs >/dev/null && command -v journalctl >/dev/null; then
    debugfs -R "rdump /var/log/journal $WORK" "$WORK/image/image.ext4" >/dev/null 2>&1 || true
    echo "--- the guest's journal: the studio units, every boot ---"
    journalctl -D "$WORK/journal"/* -o short-monotonic --no-pager -u 'studio-*' 2>/dev/null | tail -n 120 || true
  else
    echo "(the guest's journal cannot be read here: needs debugfs and journalctl)"
  fi
}
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    echo "image: the VM test failed (exit $rc); what the guest saw:" >&2
    explain_failure >&2
  fi
  stop_vm
  for p in $sntp_pid $proxy_pid; do kill "$p" 2>/dev/null || true; done
  bash "$CEPH_SH" stop "$CEPH" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP # ctest's timeout, or ^C: cleanup runs then too

# The uploader takes http:// for loopback only, and the guest reaches the
# host as 10.0.2.2: a TLS terminator (tests/vault/tls-proxy.py) in front of
# RGW, with a test CA and a server certificate for IP:10.0.2.2. QEMU's user
# network delivers the guest's 10.0.2.2:PORT to the host's 127.0.0.1:PORT.
T=$WORK/tls
mkdir -p "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=studio VM test CA" \
  -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=10.0.2.2" \
  -keyout "$T/server.key" -out "$T/server.csr" 2>/dev/null
printf 'subjectAltName=IP:10.0.2.2\nextendedKeyUsage=serverAuth\n' >"$T/ext"
openssl x509 -req -in "$T/server.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
  -days 2 -extfile "$T/ext" -out "$T/server.pem" 2>/dev/null
python3 "$STUDIO_SOURCE_DIR/tests/vault/tls-proxy.py" "$T/server.pem" "$T/server.key" "${AWS_ENDPOINT##*:}" "$T/port" &
proxy_pid=$!
for _ in $(seq 50); do test -s "$T/port" && break; sleep 0.1; done
check "the TLS terminator in front of RGW listens" test -s "$T/port"
ENDPOINT=https://10.0.2.2:$(cat "$T/port")
PREFIX=shelter-vm

# The test's additions to the image: the virtual devices and the room
# (tests/image/overlay: vivid, snd-aloop, a moving pattern and a tone, the
# light room profile), the probe, a status page the host can reach (QEMU's
# user network connects from 10.0.2.2), a directory vault until the bundle
# names the S3 one, and what police IT sets once in the image: the vault's
# CA and the S3 credentials as the uploader's systemd credential.
overlay=$WORK/overlay
cp -a "$STUDIO_SOURCE_DIR/tests/image/overlay" "$overlay"
cp "$STUDIO_SOURCE_DIR/systemd/studio.conf" "$overlay/etc/studio/studio.conf"
cp "$T/ca.pem" "$overlay/etc/studio/vault-ca.pem"
install -d -m 0700 "$overlay/etc/credstore"
install -m 0600 "$CEPH/credentials" "$overlay/etc/credstore/vault-s3"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$overlay/etc/studio/studio.conf" \
  status listen 0.0.0.0 status allow '127.0.0.0/8;10.0.2.2/32' status hostnames studio-vm uploader vault dir:/srv/vault \
  uploader ca_file /etc/studio/vault-ca.pem uploader credentials_file credential:vault-s3 \
  recorder profile /etc/studio/vm.profile panel device 'QEMU Virtio Keyboard'

# A police IT key of the test's own; the first boot has no bundle signed
# with it, so the appliance must stay unprovisioned.
minisign -G -W -p "$WORK/police-it.pub" -s "$WORK/police-it.key" >/dev/null
t0=$SECONDS
STUDIO_DEB_BUILD=$STUDIO_BUILD_DIR/deb-build \
  "$STUDIO_SOURCE_DIR/image/build" --police-key "$WORK/police-it.pub" --overlay "$overlay" "$WORK/image" ||
  { fail "image/build"; finish; exit 1; }
build_s=$((SECONDS - t0))
# A disk larger than the image, as on a device: the root filesystem grows at
# boot (x-systemd.growfs), and the spool has room for a session.
truncate -s 8G "$WORK/image/image.ext4"
# The guest's time server (its timesyncd asks 10.0.2.2:123, the host's
# 127.0.0.1:123): the recorder rightly refuses an unsynchronised clock.
python3 "$STUDIO_SOURCE_DIR/tests/image/sntp.py" 127.0.0.1 123 &
sntp_pid=$!

t1=$SECONDS
start_vm "$WORK/serial.log"

check "the probe ran" wait_for 600 console_says "STUDIO-VM done"
boot_s=$((SECONDS - t1))
check "the guest reaches multi-user.target" console_says "STUDIO-VM system [a-z]* active"
check "no unit failed at boot" sh -c "! grep -qa 'STUDIO-VM failed' '$serial'"
check "the status page answers through the host port" wait_for 60 page_answers
check "without a provisioning bundle the room is unprovisioned" \
  grep -q '"state" *: *"unprovisioned"' "$WORK/status.json"
check "first-boot provisioning ran and found no bundle" \
  console_says "STUDIO-VM provision active/exited/success"
check "the vivid camera is /dev/video0" console_says "STUDIO-VM video0 present vivid"
check "the ALSA loopback card exists" console_says "STUDIO-VM aloop present"
users=()
for d in studio-recorder studio-status studio-uploader; do
  u=$(grep -ao "STUDIO-VM daemon $d [^[:space:]]*" "$serial" | awk '{ print $4 }' | tail -n1)
  check "$d runs, and not as root (user: ${u:-?})" test -n "$u" -a "$u" != none -a "$u" != root
  users+=("$u")
done
check "the three daemons have three users" test "$(printf '%s\n' "${users[@]}" | grep -vx none | sort -u | wc -l)" = 3
grep -a "STUDIO-VM \(unit\|log\) " "$serial" | tr -d '\r' || true

t2=$SECONDS
qmp system_powerdown >/dev/null
check "the guest powers off when asked (ACPI)" wait_for 180 stopped
check "it shut down cleanly" console_says "reboot: Power down"
poweroff_s=$((SECONDS - t2))

# Second boot: the same image with police IT's signed bundle on a drive
# labelled STUDIO-PROV, naming the S3 vault (and no profile, so the image's
# VM room profile stays). Provisioning applies it and prints the enrolment
# record on the console, and the room becomes Free.
KEYS=$STUDIO_BUILD_DIR/keys/studio-keys
make_vault
printf '24680\n' | "$KEYS" officer-add --file "$WORK/officers" 4711 >/dev/null
"$KEYS" bundle-make --it-key "$WORK/police-it.key" --out "$WORK/bundle" --serial 1 \
  --recipient "$VAULT_RECIPIENT" --officers "$WORK/officers" --vault "s3://vault-locked/$PREFIX" \
  --endpoint "$ENDPOINT" --retention-days 1 --room "VM Room" --device-id studio-vm >/dev/null
mkfs.ext4 -q -L STUDIO-PROV -d "$WORK/bundle" "$WORK/prov.ext4" 16M
t3=$SECONDS
start_vm "$WORK/serial2.log" -drive file="$WORK/prov.ext4",if=virtio,format=raw,readonly=on
check "second boot: the probe ran" wait_for 600 console_says "STUDIO-VM done"
check "provisioning applied the bundle" console_says "STUDIO-VM provision active/exited/success"
check "the enrolment record is on the console (device id, key id)" \
  sh -c "grep -qa '^device_id: studio-vm' '$serial' && grep -qa '^key_id: ' '$serial'"
check "no unit failed at the provisioned boot" sh -c "! grep -qa 'STUDIO-VM failed' '$serial'"
check "once provisioned the room is Free" wait_for 180 room_is free
provisioned_s=$((SECONDS - t3))
# The device's public key, as police IT takes it from the enrolment record.
pk=$(grep -a '^public_key: ' "$serial" | tail -n1 | tr -d '\r' | cut -d' ' -f2)
printf 'untrusted comment: studio-vm device key from its enrolment record\n%s\n' "$pk" >"$WORK/device.pub"

require() { # require DESCRIPTION COMMAND…: a check whose failure ends the run, which says why
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; finish || true; exit 1; fi
}
receipts() { # the sessions whose receipts are in the vault, one a line
  s3 list-objects-v2 --bucket vault-locked --prefix "$PREFIX/receipts/" --query 'Contents[].Key' \
    --output text 2>/dev/null | tr '\t' '\n' | sed -n "s|^$PREFIX/receipts/\(.*\)\.jsonl\$|\1|p"
}
new_receipt() { receipts | grep -vxF -f "$WORK/known" | grep -q .; }
download() { # download SESSION DIR: the session folder from the vault, with awscli alone
  mkdir -p "$2"
  s3 list-objects-v2 --bucket vault-locked --prefix "$PREFIX/$1/" --query 'Contents[].Key' --output text |
    tr '\t' '\n' | while read -r key; do
      [ -n "$key" ] && [ "$key" != None ] || continue
      mkdir -p "$(dirname "$2/${key#"$PREFIX/$1/"}")"
      s3 get-object --bucket vault-locked --key "$key" "$2/${key#"$PREFIX/$1/"}" >/dev/null
    done
}
identify_and_start() { # the detective: officer number, PIN, Enter, then Start
  keys 4 7 1 1 kp_enter 2 4 6 8 0 kp_enter
  # without Ready nothing after it can happen: stop here and say why
  require "$1: officer number and PIN on the keypad pass the pre-flight: Ready" wait_for 120 room_is ready
  keys kp_add
  require "$1: Start on the keypad: the status page says In session" wait_for 60 room_is recording
}

# The scenario: a 30 s interview, a mark, a held Stop, the upload, and the
# vault's copy verified on the host.
: >"$WORK/known"
t4=$SECONDS
identify_and_start "session 1"
sleep 30 # the interview
keys kp_multiply
sleep 2 # the mark, then Stop: two presses, as at the panel
keys kp_subtract:3 # held longer than stop_hold (2 s)
check "session 1: Stop held on the keypad ends the session: Free" wait_for 120 room_is free
wait_for 300 new_receipt || true
require "session 1: its receipts arrive in the vault" new_receipt
S1=$(receipts | grep -vxF -f "$WORK/known" | head -n1)
echo "$S1" >>"$WORK/known"
upload_s=$((SECONDS - t4))
download "$S1" "$WORK/v1/$S1"
"$VERIFY" --device-key "$WORK/device.pub" "$WORK/v1/$S1" >"$WORK/verify1.out" 2>&1 || true
check "session 1: studio-verify on the vault's copy says INTACT" grep -q '^INTACT' "$WORK/verify1.out"
sed 's/^/  verify: /' "$WORK/verify1.out" | head -n 5
grep -m1 '"session-start"' "$WORK/v1/$S1/custody.jsonl" | grep -o '"\(cameras\|microphones\)":\[[^]]*\]' |
  sed 's/^/  session-start: /' || true
check "session 1: the session-start entry names the vivid camera" sh -c "grep -m1 '\"session-start\"' '$WORK/v1/$S1/custody.jsonl' | grep -q '\"cameras\":\[[^]]*vivid'"
check "session 1: ... and the ALSA loopback card" sh -c "grep -m1 '\"session-start\"' '$WORK/v1/$S1/custody.jsonl' | grep -q '\"microphones\":\[[^]]*Loopback'"
check "session 1: Mark on the keypad is signed into the custody log" grep -q '"event":"mark"' "$WORK/v1/$S1/custody.jsonl"

# Plug-pull: a second session, and the power cut 20 s into it (QMP quit).
identify_and_start "session 2"
sleep 20
qmp quit >/dev/null || true
check "the plug is pulled (QEMU quit)" wait_for 30 stopped
qemu_pid=

# Third boot: the same disk. The recorder recovers the session at start,
# and the uploader takes it to the vault.
t5=$SECONDS
start_vm "$WORK/serial3.log"
check "after the power cut: the probe ran" wait_for 600 console_says "STUDIO-VM done"
wait_for 300 new_receipt || true
require "after the power cut: the recovered session's receipts arrive in the vault" new_receipt
recovered_s=$((SECONDS - t5))
S2=$(receipts | grep -vxF -f "$WORK/known" | head -n1)
download "$S2" "$WORK/v2/$S2"
"$VERIFY" --device-key "$WORK/device.pub" "$WORK/v2/$S2" >"$WORK/verify2.out" 2>&1 || true
sed 's/^/  verify: /' "$WORK/verify2.out" | head -n 5
check "session 2: studio-verify says TRUNCATED with an intact prefix" \
  grep -q '^TRUNCATED: intact through checkpoint [1-9][0-9]* at ' "$WORK/verify2.out"
check "session 2: its custody log records the recovery" grep -q '"event":"recovery"' "$WORK/v2/$S2/custody.jsonl"
# The unverifiable tail: at most one checkpoint interval (2 s) of the
# profile's bitrate (800 + 64 kbit/s), doubled for the encoder's overshoot,
# plus the one age chunk (64 KiB) the segment may have started.
tail_bytes=$(sed -n 's/^TRUNCATED: intact through .*; \([0-9]*\) bytes after it unverifiable.*/\1/p' "$WORK/verify2.out")
limit=$((2 * 2 * (800 + 64) * 125 + 65536 + 16))
check "session 2: the unverifiable tail (${tail_bytes:-?} bytes) is within one checkpoint interval (${limit})" \
  test -n "$tail_bytes" -a "${tail_bytes:-0}" -le "$limit"
qmp system_powerdown >/dev/null
check "after the power cut: the guest powers off when asked" wait_for 180 stopped
echo "image: build ${build_s} s, boot to the probe's report ${boot_s} s, power-off ${poweroff_s} s," \
  "provisioned boot to Free ${provisioned_s} s, session 1 to its receipts in the vault ${upload_s} s," \
  "boot after the power cut to the recovered receipts ${recovered_s} s (TCG)"
grep -ao "STUDIO-VM startup .*" "$WORK/serial.log" | tr -d '\r' | sed 's/^STUDIO-VM startup /image: guest: /' || true
grep -ah "STUDIO-VM journal .*pre-flight\|STUDIO-VM journal .*preflight" "$WORK"/serial*.log | tr -d '\r' | head -n 4 || true
finish
