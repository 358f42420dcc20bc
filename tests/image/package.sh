#!/usr/bin/env bash
# The two Debian packages (cmake/packaging.cmake): built the way Debian
# builds packages (image/build-deb), into one folder; every ELF either ships
# passes hardening-check; no file is in both (dpkg refuses two packages
# owning one); studio depends on studio-tools of its own version.
# Then, in a fresh Debian 12 minbase chroot (not the image):
#  1. `apt-get install ./studio-tools_*.deb` alone, as on an examiner's
#     workstation: no user, unit, daemon or configuration arrives, and its
#     studio-verify calls a real session INTACT and a tampered copy
#     TAMPERED, its studio-export decrypts the session into a working copy
#     that `sha256sum -c` accepts, its studio-keys makes a vault identity;
#  2. `apt-get install ./studio_*.deb ./studio-tools_*.deb`, as the image
#     build does: the binaries run there, the built-in profiles and the seal
#     plugin are where the programs and GStreamer look, studio.conf is a
#     conffile, and every unit, sysusers.d and tmpfiles.d file of systemd/
#     is where systemd looks.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for tool in hardening-check debootstrap dpkg-shlibdeps age-keygen; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is missing: apt-get install devscripts debootstrap dpkg-dev age (./run test does)" >&2
    exit 77
  fi
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the chroot needs root" >&2; exit 77; }
src=$STUDIO_SOURCE_DIR
MS=$STUDIO_BUILD_DIR/tests/make-session

debs=$("$src/image/build-deb" "$STUDIO_BUILD_DIR/deb-build") || { fail "image/build-deb"; finish; exit 1; }
deb=$(sed -n 1p <<<"$debs") tools=$(sed -n 2p <<<"$debs")
version=$(dpkg-deb -f "$deb" Version)
check "image/build-deb built $(basename "$deb") and, beside it, studio-tools" \
  test "$tools" = "$(dirname "$deb")/studio-tools_${version}_amd64.deb" -a -f "$tools"
check "the packages are named studio and studio-tools" \
  test "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$tools" Package)" = "studio studio-tools"

# What each package holds.
mkdir -p "$WORK/deb/studio" "$WORK/deb/tools"
dpkg-deb -x "$deb" "$WORK/deb/studio"
dpkg-deb -x "$tools" "$WORK/deb/tools"
files_of() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { print $6 }' | sort; }
both=$(comm -12 <(files_of "$deb") <(files_of "$tools"))
check "no file is in both packages${both:+ (both ship: $(echo $both))}" test -z "$both"
# Every ELF file. CET (control-flow protection) is not required: bookworm's
# own C runtime objects carry no IBT/SHSTK marking, so no bookworm binary
# can have it (the code is built with -fcf-protection).
elves=0
while IFS= read -r -d '' f; do
  head -c4 "$f" | grep -q ELF || continue
  elves=$((elves + 1))
  check "hardening-check ${f#"$WORK/deb/"}" hardening-check --quiet --nocfprotection "$f"
done < <(find "$WORK/deb" -type f -print0)
appliance_programs=(studio-recorder studio-status studio-uploader studio-provision studioctl)
tools_programs=(studio-verify studio-export studio-keys)
for p in "${appliance_programs[@]}"; do
  check "studio ships /usr/bin/$p" test -x "$WORK/deb/studio/usr/bin/$p"
  check "studio-tools does not ship $p" test ! -e "$WORK/deb/tools/usr/bin/$p"
done
for p in "${tools_programs[@]}"; do
  check "studio-tools ships /usr/bin/$p" test -x "$WORK/deb/tools/usr/bin/$p"
  check "studio does not ship $p itself" test ! -e "$WORK/deb/studio/usr/bin/$p"
done
check "studio ships the seal plugin" test -f "$WORK/deb/studio/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgststudioseal.so"
check "every ELF shipped was checked (${#appliance_programs[@]} + ${#tools_programs[@]} programs and the plugin)" \
  test "$elves" -eq $((${#appliance_programs[@]} + ${#tools_programs[@]} + 1))
for doc in verifying.md export.md key-ceremony.md session-format.md README.md; do
  check "studio-tools ships its guide $doc" test -f "$WORK/deb/tools/usr/share/doc/studio-tools/$doc"
  [ "$doc" = README.md ] ||
    check "studio does not ship $doc again" test ! -e "$WORK/deb/studio/usr/share/doc/studio/$doc"
done
check "studio-tools ships nothing in /etc, no unit, user or folder declaration" \
  test -z "$(cd "$WORK/deb/tools" && find etc lib usr/lib/systemd usr/lib/sysusers.d usr/lib/tmpfiles.d -type f 2>/dev/null)"
mkdir "$WORK/ctl"
dpkg-deb -e "$tools" "$WORK/ctl/tools"
check "studio-tools has no maintainer script or conffile ($(ls "$WORK/ctl/tools" | tr '\n' ' '))" \
  test -z "$(ls "$WORK/ctl/tools" | grep -vx -e control -e md5sums)"
check "studio depends on studio-tools of its own version" \
  sh -c "dpkg-deb -f '$deb' Depends | tr ',' '\n' | grep -qx ' *studio-tools (= $version)'"
check "studio's Depends are computed (libsodium from dpkg-shlibdeps)" \
  sh -c "dpkg-deb -f '$deb' Depends | grep -q libsodium23"
check "studio's Depends name the ALSA source plugin" sh -c "dpkg-deb -f '$deb' Depends | grep -q gstreamer1.0-alsa"
check "studio-tools' Depends are computed (libsodium) and need no GStreamer ($(dpkg-deb -f "$tools" Depends))" \
  sh -c "dpkg-deb -f '$tools' Depends | grep -q libsodium23 && ! dpkg-deb -f '$tools' Depends | grep -q gstreamer"

base=$("$src/image/base") || { fail "image/base"; finish; exit 1; }
m=$("$src/image/base" --mirror)
root=$WORK/root
mkdir "$root"
tar -C "$root" --numeric-owner --xattrs -xpf "$base"
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$m" "$m" >"$root/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$tools" "$root/tmp/"
in_root() { "$src/image/in-root" "$root" "$@"; }
apt_install() { # apt_install FILE…: apt-get install ./FILE… in the chroot's /tmp
  if in_root sh -c "cd /tmp && apt-get install -y -q --no-install-recommends $*" >>"$WORK/apt.log" 2>&1; then
    pass "apt-get install $* in the chroot"
  else
    tail -n 30 "$WORK/apt.log"
    fail "apt-get install $* in the chroot"
    finish
    exit 1
  fi
}
in_root apt-get update -q >"$WORK/apt.log" 2>&1 || { tail -n 30 "$WORK/apt.log"; fail "apt-get update"; finish; exit 1; }
cp "$root/etc/passwd" "$WORK/passwd.before"

# 1. The examiner's workstation: studio-tools alone.
apt_install "./$(basename "$tools")"
check "studio itself is not installed" sh -c "! '$src/image/in-root' '$root' dpkg -s studio >/dev/null 2>&1"
check "no user was added" cmp -s "$WORK/passwd.before" "$root/etc/passwd"
check "no /etc/studio, no studio unit" \
  test ! -e "$root/etc/studio" -a -z "$(ls "$root"/lib/systemd/system/studio* "$root"/usr/lib/systemd/system/studio* 2>/dev/null)"
check "no GStreamer came with it" test ! -e "$root/usr/lib/x86_64-linux-gnu/libgstreamer-1.0.so.0"
for p in "${tools_programs[@]}"; do
  check "$p --version runs" sh -c "'$src/image/in-root' '$root' $p --version | grep -qx '$p [0-9.]*'"
done
# A session recorded and sealed as the appliance does (make-session, the
# custody and age code of the build under test), taken to the workstation.
make_vault
"$KEYS" device-init --dir "$WORK/dev" --device-id studio-package-test >/dev/null
session=$(cd "$WORK" && "$MS" --spool spool --state state --key dev/device.key --recipient "$VAULT_RECIPIENT" \
            --segments 2 --segment-bytes 150000)
exam=$root/tmp/exam
mkdir -p "$exam"
cp -r "$WORK/$session" "$exam/session"
cp -r "$WORK/$session" "$exam/tampered"
cp "$WORK/dev/device.pub" "$VAULT_KEY" "$exam/"
seg=$(ls "$exam/tampered"/seg-000001.mkv.age)
printf 'X' | dd of="$seg" bs=1 seek=5000 conv=notrunc status=none
set +e
in_root studio-verify --device-key /tmp/exam/device.pub /tmp/exam/session >"$WORK/verify.out" 2>&1
rc=$?
in_root studio-verify --device-key /tmp/exam/device.pub /tmp/exam/tampered >"$WORK/tampered.out" 2>&1
rc_t=$?
in_root studio-export --identity /tmp/exam/vault.key --device-key /tmp/exam/device.pub \
  --out /tmp/exam/copy /tmp/exam/session >"$WORK/export.out" 2>&1
rc_e=$?
set -e
check "studio-tools' studio-verify calls the session INTACT (exit $rc: $(head -n1 "$WORK/verify.out"))" \
  sh -c "[ $rc -eq 0 ] && head -n1 '$WORK/verify.out' | grep -q '^INTACT'"
check "and a copy with one byte changed TAMPERED (exit $rc_t: $(head -n1 "$WORK/tampered.out"))" \
  sh -c "[ $rc_t -eq 3 ] && head -n1 '$WORK/tampered.out' | grep -q '^TAMPERED'"
check "studio-export decrypts it (exit $rc_e)" test "$rc_e" -eq 0
check "the working copy passes sha256sum -c SHA256SUMS in the chroot" \
  in_root sh -c 'cd /tmp/exam/copy && sha256sum -c SHA256SUMS >/dev/null && test -f seg-000002.mkv'
check "studio-keys vault-init makes an identity stock age reads" \
  sh -c "'$src/image/in-root' '$root' studio-keys vault-init --out /tmp/exam/new-vault.key >/dev/null 2>&1 &&
         age-keygen -y '$exam/new-vault.key' | grep -q '^age1'"

# 2. The appliance: both packages, as image/build installs them.
apt_install "./$(basename "$deb")" "./$(basename "$tools")"
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
check "the documentation is in /usr/share/doc/studio and /usr/share/doc/studio-tools" \
  test -f "$root/usr/share/doc/studio/README.md" -a -f "$root/usr/share/doc/studio/police-it.md" \
  -a -f "$root/usr/share/doc/studio-tools/verifying.md"

# systemd's own folders for what the package ships (none before the units
# are written; every one of them once they are).
# studio-intake is the police side's (docs/intake.md): never on an appliance.
police_side() { case "$(basename "$1")" in studio-intake*) return 0 ;; esac; return 1; }
check "the police side's studio-intake is not installed on the appliance" \
  test ! -e "$root/usr/bin/studio-intake" -a ! -e "$root/usr/lib/systemd/system/studio-intake.service" \
  -a ! -e "$root/lib/systemd/system/studio-intake.service"
for unit in "$src"/systemd/*.service "$src"/systemd/*.socket "$src"/systemd/*.timer; do
  [ -e "$unit" ] || continue
  police_side "$unit" && continue
  check "unit $(basename "$unit") where systemd looks" test -f "$root/usr/lib/systemd/system/$(basename "$unit")" -o \
    -f "$root/lib/systemd/system/$(basename "$unit")"
done
for kind in sysusers tmpfiles; do
  for f in "$src"/systemd/*"$kind"*.conf "$src"/systemd/"$kind".d/*.conf; do
    [ -e "$f" ] || continue
    police_side "$f" && continue
    check "$kind file $(basename "$f") in /usr/lib/$kind.d" test -n "$(find "$root/usr/lib/$kind.d" -name "$(basename "$f")" 2>/dev/null)"
  done
done
# Enabled at install, as Debian's packaged daemons are (postinst).
for unit in "$src"/systemd/*.service; do
  [ -e "$unit" ] || continue
  police_side "$unit" && continue
  check "$(basename "$unit") enabled at install" \
    test -L "$root/etc/systemd/system/multi-user.target.wants/$(basename "$unit")"
done
# The users the sysusers.d files declare exist after the install (postinst).
for u in $(cat "$root"/usr/lib/sysusers.d/studio*.conf 2>/dev/null | awk '$1 == "u" { print $2 }'); do
  check "user $u created at install" in_root getent passwd "$u"
done
finish
