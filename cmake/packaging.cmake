# The Debian package `studio`, built with CPack (cpack -G DEB, or
# image/build-deb, which builds it the way Debian does: gcc, dpkg-buildflags,
# hardening=+all). See docs/police-it.md, "Building the image".
#
# The binaries' install() rules live next to each target; this file adds the
# files that belong to no target (profiles, documentation, the default
# configuration) and the package's metadata.
include(GNUInstallDirs)

# Built-in room profiles, where capture_profiles_dir() looks for them
# (STUDIO_PIPELINES_INSTALL_DIR in appliance/capture/CMakeLists.txt).
install(DIRECTORY ${CMAKE_SOURCE_DIR}/pipelines/ DESTINATION ${CMAKE_INSTALL_DATADIR}/studio/pipelines
        FILES_MATCHING PATTERN "*.profile")
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/studio)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/studio FILES_MATCHING PATTERN "*.md")
# The default configuration (/etc/studio/studio.conf), the units, sysusers.d
# and tmpfiles.d files are installed by systemd/CMakeLists.txt; the
# configuration is a conffile (image/deb/conffiles), so that an update never
# overwrites what police IT changed.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME studio)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Interview Studio maintainers <studio@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "interview-studio recording appliance")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Records victim interviews from cameras and microphones, seals every segment\n\
 for the police vault (age), keeps a signed chain of custody, and uploads the\n\
 sealed sessions to the vault. Includes studio-verify and studio-export.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Libraries the binaries link are computed with dpkg-shlibdeps; what is
# loaded at run time (GStreamer elements, the overlay's font, systemd that
# starts the daemons) is listed here. gstreamer1.0-x is for clockoverlay
# (the pango plugin, which Debian ships there), not for a display.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, gstreamer1.0-plugins-bad, \
gstreamer1.0-plugins-ugly, gstreamer1.0-alsa, gstreamer1.0-x, fonts-dejavu-core, systemd")
# The maintainer scripts do only what debhelper would generate (users,
# folders, enabling the units); see image/deb/postinst.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/image/deb/conffiles
    ${CMAKE_SOURCE_DIR}/image/deb/postinst ${CMAKE_SOURCE_DIR}/image/deb/prerm
    ${CMAKE_SOURCE_DIR}/image/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# As a Debian package ships them: the symbols stay in the build tree.
set(CPACK_STRIP_FILES ON)
include(CPack)
