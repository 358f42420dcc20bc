# The .deb, built as Debian builds it and installed with apt into a fresh
# chroot (needs root, devscripts, debootstrap, dpkg-dev and the network).
studio_script_test(package-deb ${CMAKE_CURRENT_LIST_DIR}/package.sh package TIMEOUT 1800)
