#!/usr/bin/env bash
# The image boots under a real kernel (QEMU TCG: this machine's KVM cannot
# run a Debian kernel): it reaches multi-user.target, the status page
# answers through QEMU's user-mode network, the three daemons run each as
# its own user, and the VM's vivid camera and ALSA loopback card exist.
# Then it powers off when asked (ACPI, through QMP), and boots again with
# police IT's signed bundle on a drive labelled STUDIO-PROV: provisioning
# applies it, the enrolment record is on the console, and the room is Free.
# Prints the build and boot times. Everything it starts is stopped and its files removed.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for tool in qemu-system-x86_64 debootstrap curl python3 minisign; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is missing: apt-get install qemu-system-x86 debootstrap curl python3 minisign (./run test does)" >&2
    exit 77
  fi
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: building the image needs root" >&2; exit 77; }

qemu_pid= sntp_pid=
cleanup() {
  [ -z "$sntp_pid" ] || kill "$sntp_pid" 2>/dev/null || true
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid"
    wait "$qemu_pid" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The test's additions to the image: the virtual devices, the probe, a
# status page the host can reach (QEMU's user network connects from
# 10.0.2.2), and a directory vault in the guest.
overlay=$WORK/overlay
cp -a "$STUDIO_SOURCE_DIR/tests/image/overlay" "$overlay"
cp "$STUDIO_SOURCE_DIR/systemd/studio.conf" "$overlay/etc/studio/studio.conf"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$overlay/etc/studio/studio.conf" \
  status listen 0.0.0.0 status allow '127.0.0.0/8;10.0.2.2/32' uploader vault dir:/srv/vault \
  panel device 'QEMU Virtio Keyboard'

# A police IT key of the test's own; no bundle is signed with it here, so
# the appliance must stay unprovisioned.
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

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
status_port=8080 # [status] port in systemd/studio.conf
qmp=$WORK/qmp.sock
start_vm() { # start_vm SERIAL-LOG [QEMU ARGS…]: boots the image in the background
  local log=$1; shift
  rm -f "$qmp"
  qemu-system-x86_64 -machine q35 -accel tcg -m 1536 -smp 2 \
    -kernel "$WORK/image/vmlinuz" -initrd "$WORK/image/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 systemd.show_status=1" \
    -drive file="$WORK/image/image.ext4",if=virtio,format=raw \
    -netdev user,id=net0,hostfwd=tcp:127.0.0.1:$port-:$status_port -device virtio-net-pci,netdev=net0 \
    -device virtio-keyboard-pci \
    -qmp unix:"$qmp",server=on,wait=off \
    -display none -monitor none -serial file:"$log" -no-reboot "$@" &
  qemu_pid=$!
}
serial=$WORK/serial.log
t1=$SECONDS
start_vm "$serial"

# A deadline for a boot that never ends, not a measured assertion.
wait_for() { # wait_for SECONDS COMMAND…
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] && kill -0 "$qemu_pid" 2>/dev/null || return 1
    sleep 1
  done
}
console_says() { grep -qa "$1" "$serial" 2>/dev/null; }
page_answers() { curl -sf -o "$WORK/status.json" "http://127.0.0.1:$port/status.json"; }

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
python3 "$STUDIO_SOURCE_DIR/tests/image/qmp.py" "$qmp" system_powerdown >/dev/null
stopped() { ! kill -0 "$qemu_pid" 2>/dev/null; }
check "the guest powers off when asked (ACPI)" wait_for 180 stopped
check "it shut down cleanly" console_says "reboot: Power down"
poweroff_s=$((SECONDS - t2))

# Second boot: the same image with police IT's signed bundle on a drive
# labelled STUDIO-PROV. Provisioning applies it and prints the enrolment
# record on the console, and the room becomes Free.
KEYS=$STUDIO_BUILD_DIR/keys/studio-keys
make_vault
printf '24680\n' | "$KEYS" officer-add --file "$WORK/officers" 4711 >/dev/null
"$KEYS" bundle-make --it-key "$WORK/police-it.key" --out "$WORK/bundle" --serial 1 \
  --recipient "$VAULT_RECIPIENT" --officers "$WORK/officers" --vault dir:/srv/vault \
  --room "VM Room" --profile test --device-id studio-vm >/dev/null
mkfs.ext4 -q -L STUDIO-PROV -d "$WORK/bundle" "$WORK/prov.ext4" 16M
serial=$WORK/serial2.log
t3=$SECONDS
start_vm "$serial" -drive file="$WORK/prov.ext4",if=virtio,format=raw,readonly=on
room_is() { page_answers && grep -q "\"state\" *: *\"$1\"" "$WORK/status.json"; }
check "second boot: the probe ran" wait_for 600 console_says "STUDIO-VM done"
check "provisioning applied the bundle" console_says "STUDIO-VM provision active/exited/success"
check "the enrolment record is on the console (device id, key id)" \
  sh -c "grep -qa '^device_id: studio-vm' '$serial' && grep -qa '^key_id: ' '$serial'"
check "once provisioned the room is Free" wait_for 180 room_is free
provisioned_s=$((SECONDS - t3))
# The detective's keys on the virtual keypad (QMP input-send-event into the
# virtio keyboard, an evdev device in the guest): officer number and PIN.
# (Start, Mark and Stop need a VM room profile light enough for TCG: the
# built-in test profile's 720p pre-flight delivers no picture in time.)
keys() { python3 "$STUDIO_SOURCE_DIR/tests/image/qmp.py" "$qmp" keys "$@"; }
keys 4 7 1 1 kp_enter 2 4 6 8 0 kp_enter
check "officer number and PIN typed on the keypad identify the officer" \
  wait_for 120 console_says "STUDIO-VM journal officer identified"
python3 "$STUDIO_SOURCE_DIR/tests/image/qmp.py" "$qmp" system_powerdown >/dev/null
check "second boot: the guest powers off when asked" wait_for 180 stopped
echo "image: build ${build_s} s, boot to the probe's report ${boot_s} s, power-off ${poweroff_s} s," \
  "provisioned boot to Free ${provisioned_s} s (TCG)"
serial=$WORK/serial.log
grep -ao "STUDIO-VM startup .*" "$serial" | tr -d '\r' | sed 's/^STUDIO-VM startup /image: guest: /' || true
if [ "$failures" -gt 0 ]; then
  for log in "$WORK/serial.log" "$WORK/serial2.log"; do
    [ -f "$log" ] || continue
    echo "--- $(basename "$log"): the guest's console (last 60 lines) ---"
    tail -n 60 "$log" | tr -d '\r'
  done
  cat "$WORK/status.json" 2>/dev/null || true
  grep -ah "STUDIO-VM journal" "$WORK/serial.log" "$WORK/serial2.log" 2>/dev/null | tr -d '\r' | tail -n 40 || true
fi
finish
