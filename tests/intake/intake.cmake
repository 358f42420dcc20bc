# studio-intake and the registry kinds it relies on (label "intake").
studio_script_test(intake-keys-kind ${CMAKE_CURRENT_LIST_DIR}/keys-kind.sh intake TIMEOUT 120)
studio_script_test(intake-dir ${CMAKE_CURRENT_LIST_DIR}/intake-dir.sh intake TIMEOUT 300)
studio_script_test(intake-tsa ${CMAKE_CURRENT_LIST_DIR}/intake-tsa.sh intake TIMEOUT 300)
studio_script_test(intake-index ${CMAKE_CURRENT_LIST_DIR}/intake-index.sh intake TIMEOUT 300)
studio_script_test(intake-unit ${CMAKE_CURRENT_LIST_DIR}/intake-unit.sh intake TIMEOUT 300)
studio_script_test(intake-kill ${CMAKE_CURRENT_LIST_DIR}/intake-kill.sh intake TIMEOUT 300)
