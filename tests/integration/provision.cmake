# First-boot provisioning: police IT's bundle applied by studio-provision,
# then the recorder records with what it was given.
studio_script_test(provision ${CMAKE_CURRENT_LIST_DIR}/provision.sh integration GST TIMEOUT 300)
