# The two packages, studio and studio-tools, built as Debian builds them;
# studio-tools installed alone with apt into a fresh chroot, where it
# verifies and exports a session (made by make-session), then both (needs
# root, devscripts, debootstrap, dpkg-dev and the network). The timeout
# allows for the package build and, on a busy machine, the first
# debootstrap of image/base's cache.
studio_script_test(package-deb ${CMAKE_CURRENT_LIST_DIR}/package.sh package TIMEOUT 1800)
