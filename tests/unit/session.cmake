# appliance/session: the notes that wait for the next session.
studio_unit_test(test-pending-notes SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-pending-notes.c LIBS studio_session)
