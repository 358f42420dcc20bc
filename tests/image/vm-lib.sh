# Helpers for the VM test (sourced by boot.sh after lib.sh): QEMU under TCG
# with the image, its console, QMP, and the status page through hostfwd.
# Needs WORK, and sets qemu_pid, qmp, serial, port.
status_port=8080 # [status] port in systemd/studio.conf
qmp=$WORK/qmp.sock
qemu_pid= serial=
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

start_vm() { # start_vm SERIAL-LOG [QEMU ARGS…]: boots the image in the background
  serial=$1; shift
  rm -f "$qmp"
  qemu-system-x86_64 -machine q35 -accel tcg -m 1536 -smp 2 \
    -kernel "$WORK/image/vmlinuz" -initrd "$WORK/image/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 systemd.show_status=1" \
    -drive file="$WORK/image/image.ext4",if=virtio,format=raw \
    -netdev user,id=net0,hostfwd=tcp:127.0.0.1:$port-:$status_port -device virtio-net-pci,netdev=net0 \
    -device virtio-keyboard-pci \
    -qmp unix:"$qmp",server=on,wait=off \
    -display none -monitor none -serial file:"$serial" -no-reboot "$@" &
  qemu_pid=$!
}
stop_vm() { # the plug: QEMU's process, by PID
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid"
    wait "$qemu_pid" 2>/dev/null || true
  fi
  qemu_pid=
}

# A deadline for what never comes, not a measured assertion.
wait_for() { # wait_for SECONDS COMMAND…
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] && kill -0 "$qemu_pid" 2>/dev/null || return 1
    sleep 1
  done
}
stopped() { ! kill -0 "$qemu_pid" 2>/dev/null; }
console_says() { grep -qa "$1" "$serial" 2>/dev/null; }
# Host: the name [status] hostnames lists (boot.sh): through the port forward
# the guest sees neither our address nor our port (the Host check, docs/status-page.md)
page_answers() { curl -sf -H "Host: studio-vm" -o "$WORK/status.json" "http://127.0.0.1:$port/status.json"; }
room_is() { page_answers && grep -q "\"state\" *: *\"$1\"" "$WORK/status.json"; }
qmp() { python3 "$STUDIO_SOURCE_DIR/tests/image/qmp.py" "$qmp" "$@"; }
# The virtual keypad: QMP input-send-event into the virtio keyboard, an
# evdev device in the guest ([panel] device). KEY:SECONDS holds a key.
keys() { qmp keys "$@" >/dev/null; }
