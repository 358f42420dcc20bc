# The appliance image, run under QEMU in three boots: unprovisioned,
# provisioned with a keypad-driven session verified INTACT from the host's
# Ceph RGW and a second one cut by a pulled plug, and the boot after it,
# whose recovered session verifies TRUNCATED (tests/image/boot.sh). Needs
# root, debootstrap, qemu-system-x86, Ceph (radosgw ceph-mon ceph-osd),
# awscli, openssl, minisign; the debootstrap base is cached in
# /var/cache/studio-image.
studio_script_test(image-boot ${CMAKE_CURRENT_LIST_DIR}/boot.sh image TIMEOUT 1500)
