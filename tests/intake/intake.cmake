# studio-intake and the registry kinds it relies on (label "intake").
studio_script_test(intake-keys-kind ${CMAKE_CURRENT_LIST_DIR}/keys-kind.sh intake TIMEOUT 120)
studio_script_test(intake-dir ${CMAKE_CURRENT_LIST_DIR}/intake-dir.sh intake TIMEOUT 300)
studio_script_test(intake-tsa ${CMAKE_CURRENT_LIST_DIR}/intake-tsa.sh intake TIMEOUT 300)
studio_script_test(intake-index ${CMAKE_CURRENT_LIST_DIR}/intake-index.sh intake TIMEOUT 300)
studio_script_test(intake-unit ${CMAKE_CURRENT_LIST_DIR}/intake-unit.sh intake TIMEOUT 300)
studio_script_test(intake-kill ${CMAKE_CURRENT_LIST_DIR}/intake-kill.sh intake TIMEOUT 300)
studio_script_test(intake-dir-hostile ${CMAKE_CURRENT_LIST_DIR}/intake-dir-hostile.sh intake TIMEOUT 600)
# The S3 tests share ONE Ceph RGW (tests/intake/ceph-fixture.sh): started by
# the setup test of the fixture intake-ceph, stopped by its cleanup test.
add_test(NAME intake-ceph-start COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/ceph-fixture.sh start)
set_tests_properties(intake-ceph-start PROPERTIES LABELS intake FIXTURES_SETUP intake-ceph TIMEOUT 300
                     SKIP_RETURN_CODE 77 ENVIRONMENT "${STUDIO_TEST_ENV}")
add_test(NAME intake-ceph-stop COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/ceph-fixture.sh stop)
set_tests_properties(intake-ceph-stop PROPERTIES LABELS intake FIXTURES_CLEANUP intake-ceph
                     ENVIRONMENT "${STUDIO_TEST_ENV}")
studio_script_test(intake-s3 ${CMAKE_CURRENT_LIST_DIR}/intake-s3.sh intake TIMEOUT 300)
set_tests_properties(intake-s3 PROPERTIES FIXTURES_REQUIRED intake-ceph)
studio_script_test(intake-canary ${CMAKE_CURRENT_LIST_DIR}/intake-canary.sh intake TIMEOUT 120)
studio_script_test(intake-s3-hostile ${CMAKE_CURRENT_LIST_DIR}/intake-s3-hostile.sh intake TIMEOUT 300)
studio_script_test(intake-s3-verdicts ${CMAKE_CURRENT_LIST_DIR}/intake-s3-verdicts.sh intake TIMEOUT 300)
set_tests_properties(intake-s3-verdicts PROPERTIES FIXTURES_REQUIRED intake-ceph)
studio_script_test(intake-s3-daemon ${CMAKE_CURRENT_LIST_DIR}/intake-s3-daemon.sh intake TIMEOUT 300)
set_tests_properties(intake-s3-daemon PROPERTIES FIXTURES_REQUIRED intake-ceph)
set_tests_properties(intake-s3-hostile PROPERTIES FIXTURES_REQUIRED intake-ceph)
studio_script_test(intake-wipe-verified ${CMAKE_CURRENT_LIST_DIR}/intake-wipe-verified.sh intake TIMEOUT 300)
studio_script_test(intake-wipe-verified-s3 ${CMAKE_CURRENT_LIST_DIR}/wipe-verified-s3.sh intake TIMEOUT 300)
set_tests_properties(intake-wipe-verified-s3 PROPERTIES FIXTURES_REQUIRED intake-ceph)
