# docs/provisioning.md's commands run as printed (bundle, first boot on a
# scratch root, enrolment).
studio_script_test(docs-provisioning ${CMAKE_CURRENT_LIST_DIR}/docs-provisioning.sh integration)
