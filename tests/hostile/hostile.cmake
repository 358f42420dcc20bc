# Hostile input (DESIGN.md "Hostile input"), label "hostile": real signed
# sessions from make-session (tests/integration/verify.cmake, included
# before this label) attacked with links, devices, FIFOs, sparse and deeply
# nested files, huge logs, thousands of files and escape codes, against the
# real studio-verify and studio-export. common.sh says what every run is
# checked for.
studio_script_test(hostile-verify ${CMAKE_CURRENT_LIST_DIR}/verify-hostile.sh hostile TIMEOUT 900)
studio_script_test(hostile-export ${CMAKE_CURRENT_LIST_DIR}/export-hostile.sh hostile TIMEOUT 900)
studio_script_test(hostile-big-inputs ${CMAKE_CURRENT_LIST_DIR}/big-inputs.sh hostile TIMEOUT 900)
