# appliance/session: the notes that wait for the next session, and the session itself.
studio_unit_test(test-pending-notes SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-pending-notes.c LIBS studio_session)
# The controller and the session writer on a real pipeline (the test
# profile): start, mark, break, resume, a fault, stop and a full disk, each
# checked in the custody log.
studio_unit_test(test-session SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-session.c LIBS studio_session GST)
