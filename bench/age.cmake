# `cmake --build BUILD --target bench-seal-throughput`: our age writer vs
# stock age -e on 1 GiB. Use a RelWithDebInfo build, not a sanitizer one.
if(BUILD_TESTING)
  add_custom_target(bench-seal-throughput
                    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/seal-throughput.sh ${CMAKE_BINARY_DIR}
                    DEPENDS studio-age-tool
                    USES_TERMINAL
                    COMMENT "Sealing throughput: studio age writer vs stock age -e (1 GiB)")
endif()
