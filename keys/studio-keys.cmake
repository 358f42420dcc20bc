# Officers file library: the recorder links it to check PINs.
add_library(studio_officers STATIC ${CMAKE_CURRENT_LIST_DIR}/officers.c)
target_include_directories(studio_officers PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_officers PUBLIC studio_common PkgConfig::SODIUM)
set_target_properties(studio_officers PROPERTIES POSITION_INDEPENDENT_CODE ON)

# Registry parsing, apart from the commands: the fuzz target links it too.
add_library(studio_keys_registry STATIC ${CMAKE_CURRENT_LIST_DIR}/keys-registry-parse.c)
target_include_directories(studio_keys_registry PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_keys_registry PUBLIC studio_common PkgConfig::GLIB PkgConfig::JSONGLIB)

# Key generation and the helpers it needs (PIN entry, paths, times), shared by
# studio-keys and studioctl init so that each key file has one writer.
add_library(studio_keys_lib STATIC ${CMAKE_CURRENT_LIST_DIR}/keys-common.c ${CMAKE_CURRENT_LIST_DIR}/keys-gen.c)
target_include_directories(studio_keys_lib PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_keys_lib PUBLIC studio_minisign studio_officers studio_age studio_contract studio_common PkgConfig::SODIUM)

# The provisioning bundle's parser: bundle-make, studio-provision, the fuzz
# target and the unit tests all read a bundle through it.
add_library(studio_keys_bundle STATIC ${CMAKE_CURRENT_LIST_DIR}/keys-bundle-parse.c)
target_include_directories(studio_keys_bundle PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_keys_bundle PUBLIC studio_keys_lib studio_officers studio_age studio_contract studio_common
                      PkgConfig::GLIB PkgConfig::JSONGLIB)

# The subcommands as a library: studio-provision prints the enrolment record
# with keys_enrol_fprint, the code `studio-keys enrol` runs.
add_library(studio_keys_cmds STATIC
  ${CMAKE_CURRENT_LIST_DIR}/keys-vault.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-device.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-rotate.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-sign.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-officer.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-enrol.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-enrol-record.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-enrol-kind.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-intake.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-registry.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-registry-sign.c
  ${CMAKE_CURRENT_LIST_DIR}/keys-bundle-make.c)
target_include_directories(studio_keys_cmds PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_keys_cmds PUBLIC studio_keys_bundle studio_keys_lib studio_keys_registry studio_minisign
                      studio_officers studio_age studio_common PkgConfig::SODIUM PkgConfig::GLIB PkgConfig::JSONGLIB)

add_executable(studio-keys ${CMAKE_CURRENT_LIST_DIR}/studio-keys.c)
target_link_libraries(studio-keys PRIVATE studio_keys_cmds)
install(TARGETS studio-keys RUNTIME DESTINATION bin COMPONENT tools) # the studio-tools package
