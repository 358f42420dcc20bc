#!/usr/bin/env bash
# The studio .deb: built the way Debian builds packages (image/build-deb),
# every ELF it ships passes hardening-check, and it installs with
# `apt-get install ./studio_*.deb` into a fresh Debian 12 minbase chroot
# (not the image), pulling what it needs: the binaries run there, the
# built-in profiles and the seal plugin are where the programs and
# GStreamer look, studio.conf is a conffile, and every unit, sysusers.d and
# tmpfiles.d file of systemd/ is where systemd looks.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for tool in hardening-check debootstrap dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is missing: apt-get install devscripts debootstrap dpkg-dev (./run test does)" >&2
    exit 77
  fi
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the chroot needs root" >&2; exit 77; }
src=$STUDIO_SOURCE_DIR

deb=$("$src/image/build-deb" "$STUDIO_BUILD_DIR/deb-build") || { fail "image/build-deb"; finish; exit 1; }
pass "image/build-deb built $(basename "$deb")"

# Every ELF file in the package. CET (control-flow protection) is not
# required: bookworm's own C runtime objects carry no IBT/SHSTK marking, so
# no bookworm binary can have it (the code is built with -fcf-protection).
mkdir "$WORK/deb"
dpkg-deb -x "$deb" "$WORK/deb"
elves=0
while IFS= read -r -d '' f; do
  head -c4 "$f" | grep -q ELF || continue
  elves=$((elves + 1))
  check "hardening-check ${f#"$WORK/deb"}" hardening-check --quiet --nocfprotection "$f"
done < <(find "$WORK/deb" -type f -print0)
programs=(studio-recorder studio-status studio-uploader studio-provision studioctl studio-verify studio-export studio-keys)
for p in "${programs[@]}"; do
  check "the package ships /usr/bin/$p" test -x "$WORK/deb/usr/bin/$p"
done
check "the package ships the seal plugin" test -f "$WORK/deb/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgststudioseal.so"
check "every ELF it ships was checked (${#programs[@]} programs and the plugin)" test "$elves" -eq $((${#programs[@]} + 1))
check "the Depends are computed (libsodium from dpkg-shlibdeps)" \
  sh -c "dpkg-deb -f '$deb' Depends | grep -q libsodium23"
check "the Depends name the ALSA source plugin" sh -c "dpkg-deb -f '$deb' Depends | grep -q gstreamer1.0-alsa"

base=$("$src/image/base") || { fail "image/base"; finish; exit 1; }
m=$("$src/image/base" --mirror)
root=$WORK/root
mkdir "$root"
tar -C "$root" --numeric-owner --xattrs -xpf "$base"
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$m" "$m" >"$root/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
in_root() { "$src/image/in-root" "$root" "$@"; }
if in_root apt-get update -q >"$WORK/apt.log" 2>&1 &&
  in_root sh -c "cd /tmp && apt-get install -y -q --no-install-recommends ./$(basename "$deb")" >>"$WORK/apt.log" 2>&1; then
  pass "apt-get install ./$(basename "$deb") in a fresh chroot"
else
  tail -n 30 "$WORK/apt.log"
  fail "apt-get install ./$(basename "$deb") in a fresh chroot"
  finish
  exit 1
fi

for p in studio-verify studio-keys studio-recorder studio-export studioctl; do
  check "$p --version runs in the chroot" sh -c "'$src/image/in-root' '$root' $p --version | grep -qx '$p [0-9.]*'"
done
# The plugins of every element the recorder builds its pipeline from
# (appliance/capture): alsasrc, v4l2src, clockoverlay, x264enc, opusenc,
# voaacenc, matroskamux, the test sources.
for plugin in alsa video4linux2 pango x264 opus voaacenc matroska videotestsrc audiotestsrc; do
  check "the $plugin plugin came with the dependencies" \
    test -f "$root/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgst$plugin.so"
done
check "the seal plugin is in GStreamer's folder" test -f "$root/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgststudioseal.so"
for prof in "$src"/pipelines/*.profile; do
  check "built-in profile $(basename "$prof") installed" cmp -s "$prof" "$root/usr/share/studio/pipelines/$(basename "$prof")"
done
check "studio.conf is a conffile" sh -c "'$src/image/in-root' '$root' dpkg-query -W -f='\${Conffiles}' studio | grep -q ' /etc/studio/studio.conf '"
check "the documentation is in /usr/share/doc/studio" test -f "$root/usr/share/doc/studio/README.md"

# systemd's own folders for what the package ships (none before the units
# are written; every one of them once they are).
for unit in "$src"/systemd/*.service "$src"/systemd/*.socket "$src"/systemd/*.timer; do
  [ -e "$unit" ] || continue
  check "unit $(basename "$unit") where systemd looks" test -f "$root/usr/lib/systemd/system/$(basename "$unit")" -o \
    -f "$root/lib/systemd/system/$(basename "$unit")"
done
for kind in sysusers tmpfiles; do
  for f in "$src"/systemd/*"$kind"*.conf "$src"/systemd/"$kind".d/*.conf; do
    [ -e "$f" ] || continue
    check "$kind file $(basename "$f") in /usr/lib/$kind.d" test -n "$(find "$root/usr/lib/$kind.d" -name "$(basename "$f")" 2>/dev/null)"
  done
done
# Enabled at install, as Debian's packaged daemons are (postinst).
for unit in "$src"/systemd/*.service; do
  [ -e "$unit" ] || continue
  check "$(basename "$unit") enabled at install" \
    test -L "$root/etc/systemd/system/multi-user.target.wants/$(basename "$unit")"
done
# The users the sysusers.d files declare exist after the install (postinst).
for u in $(cat "$root"/usr/lib/sysusers.d/studio*.conf 2>/dev/null | awk '$1 == "u" { print $2 }'); do
  check "user $u created at install" in_root getent passwd "$u"
done
finish
