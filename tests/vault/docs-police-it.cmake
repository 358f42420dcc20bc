# docs/police-it.md's provisioning and vault steps run as printed against a
# throwaway Ceph RGW, with a loop file as the STUDIO-PROV drive (root).
studio_script_test(docs-police-it ${CMAKE_CURRENT_LIST_DIR}/docs-police-it.sh vault TIMEOUT 600)
