# The appliance image, booted under QEMU (needs root, debootstrap and
# qemu-system-x86; the debootstrap base is cached in /var/cache/studio-image).
studio_script_test(image-boot ${CMAKE_CURRENT_LIST_DIR}/boot.sh image TIMEOUT 1500)
