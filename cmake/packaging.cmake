# Two Debian packages, built with CPack's component packaging (cpack -G
# DEB, or image/build-deb, which builds them the way Debian does: gcc,
# dpkg-buildflags, hardening=+all). See docs/police-it.md, "Building the image".
#
#   studio-tools  (component "tools")     studio-verify, studio-export,
#                 studio-keys and their guides, for police IT, examiners and
#                 the defence: no users, no units, no daemons, no maintainer
#                 scripts. An examiner's workstation installs this one alone.
#   studio        (component "appliance") everything else: the daemons, the
#                 seal plugin, studio-provision, studioctl, the units,
#                 sysusers.d and tmpfiles.d files, studio.conf, the profiles.
#                 It depends on studio-tools of the same version and ships
#                 none of its files (dpkg refuses two packages owning one).
#
# The binaries' install() rules live next to each target; the three tools
# name COMPONENT tools there, every other rule falls into the appliance
# through the default set here (this file is included before any
# add_subdirectory). This file adds the files that belong to no target
# (profiles, documentation) and the packages' metadata.
include(GNUInstallDirs)
set(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME appliance)

# Built-in room profiles, where capture_profiles_dir() looks for them
# (STUDIO_PIPELINES_INSTALL_DIR in appliance/capture/CMakeLists.txt).
install(DIRECTORY ${CMAKE_SOURCE_DIR}/pipelines/ DESTINATION ${CMAKE_INSTALL_DATADIR}/studio/pipelines
        FILES_MATCHING PATTERN "*.profile")
# The guides of the tools go with the tools; every other guide with the
# appliance. README.md (every reader's entry point) is in both, each under
# its own package's folder.
set(STUDIO_TOOLS_DOCS verifying.md export.md key-ceremony.md session-format.md)
set(_tools_docs_exclude)
foreach(doc ${STUDIO_TOOLS_DOCS})
  if(NOT EXISTS ${CMAKE_SOURCE_DIR}/docs/${doc})
    message(FATAL_ERROR "cmake/packaging.cmake: docs/${doc} (a guide of studio-tools) does not exist")
  endif()
  install(FILES ${CMAKE_SOURCE_DIR}/docs/${doc} DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/studio-tools COMPONENT tools)
  list(APPEND _tools_docs_exclude PATTERN ${doc} EXCLUDE)
endforeach()
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/studio-tools COMPONENT tools)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/studio)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/studio
        FILES_MATCHING PATTERN "*.md" ${_tools_docs_exclude})
# The default configuration (/etc/studio/studio.conf), the units, sysusers.d
# and tmpfiles.d files are installed by systemd/CMakeLists.txt; the
# configuration is a conffile (image/deb/conffiles), so that an update never
# overwrites what police IT changed.

set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL appliance tools)
set(CPACK_PACKAGE_NAME studio)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Interview Studio maintainers <studio@localhost>")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPack would put that one line on top
# of both packages' descriptions; each description's first line is its own.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Libraries the binaries link are computed with dpkg-shlibdeps, for each
# package from its own files.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# As a Debian package ships them: the symbols stay in the build tree.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME studio-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_TOOLS_DESCRIPTION
    "interview-studio verifier, export and key tools\n\
studio-verify checks a session from the police vault (complete, unaltered,\n\
which device, which officer, what time); studio-export verifies it, then\n\
decrypts a working copy with the vault identity; studio-keys makes vault\n\
identities, device registries, officers and provisioning bundles.\n\
No daemon, user or service: for examiners' and police IT's workstations.")
# Upgrading from a studio package that still shipped these programs itself
# (the last of those was 0.1.0 too, so the bound takes in every 0.1.0).
set(CPACK_DEBIAN_TOOLS_PACKAGE_REPLACES "studio (<< ${PROJECT_VERSION}-1~)")

set(CPACK_DEBIAN_APPLIANCE_PACKAGE_NAME studio)
set(CPACK_DEBIAN_APPLIANCE_DESCRIPTION
    "interview-studio recording appliance\n\
Records victim interviews from cameras and microphones, seals every segment\n\
for the police vault (age), keeps a signed chain of custody, and uploads the\n\
sealed sessions to the vault. The verifier and key tools are in studio-tools.")
# What is loaded at run time (GStreamer elements, the overlay's font,
# systemd that starts the daemons), and the tools of the same build.
# gstreamer1.0-x is for clockoverlay (the pango plugin, which Debian ships
# there), not for a display.
set(CPACK_DEBIAN_APPLIANCE_PACKAGE_DEPENDS
    "studio-tools (= ${PROJECT_VERSION}), \
gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, gstreamer1.0-plugins-bad, \
gstreamer1.0-plugins-ugly, gstreamer1.0-alsa, gstreamer1.0-x, fonts-dejavu-core, systemd")
# The maintainer scripts do only what debhelper would generate (users,
# folders, enabling the units); see image/deb/postinst. The tools have none.
set(CPACK_DEBIAN_APPLIANCE_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/image/deb/conffiles
    ${CMAKE_SOURCE_DIR}/image/deb/postinst ${CMAKE_SOURCE_DIR}/image/deb/prerm
    ${CMAKE_SOURCE_DIR}/image/deb/postrm)
include(CPack)
