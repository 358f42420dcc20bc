# issue 11's systemd part: the units as installed (systemd-analyze verify
# and security, sysusers, tmpfiles), the sd_notify protocol of each daemon,
# and credential:NAME in a daemon run (docs/systemd.md).
studio_script_test(systemd-units ${CMAKE_CURRENT_LIST_DIR}/units.sh systemd TIMEOUT 120)
studio_script_test(systemd-notify ${CMAKE_CURRENT_LIST_DIR}/notify.sh systemd GST TIMEOUT 300)
