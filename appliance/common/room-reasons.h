/* The plain words the recorder puts in the room's attention list, and their
 * translations for the status page. Every reason the recorder publishes is
 * one of these (the page shows an unknown one as it is, escaped). Words for
 * shelter staff: what is wrong with the room, never who is in it. */
#pragma once

#define REASON_CAMERA_DISCONNECTED "camera disconnected"
#define REASON_CAMERA2_DISCONNECTED "second camera disconnected"
#define REASON_CAMERA_BLACK "camera shows black"
#define REASON_CAMERA2_BLACK "second camera shows black"
#define REASON_CAMERA_FROZEN "camera picture frozen"
#define REASON_CAMERA2_FROZEN "second camera picture frozen"
#define REASON_MIC_DISCONNECTED "microphone disconnected"
#define REASON_MIC_DEAD "microphone dead"
#define REASON_MIC_SILENT "microphone silent"
#define REASON_DEVICES_UNUSABLE "camera or microphone cannot be opened"
#define REASON_DISK_LOW "disk almost full"
#define REASON_DISK_TOO_FULL "disk too full to record"
#define REASON_DISK_FULL "disk full"
#define REASON_CLOCK_UNSYNCED "clock not synchronised"
#define REASON_BACKLOG "recordings waiting for the vault"
#define REASON_VAULT_NOT_LOCKING "vault does not lock recordings"
#define REASON_VAULT_REFUSED "vault refuses the appliance's credentials"
#define REASON_PANEL_DISCONNECTED "panel disconnected"
#define REASON_LAST_FAULT "the last recording ended on a fault"
#define REASON_RECOVERY_FAILED "interrupted sessions could not be closed"
#define REASON_RECORDER_DOWN "recorder not running"
#define REASON_NOT_PROVISIONED "not set up"

/* reason in language ("en" or "nl"); an unknown reason or language gives
 * reason itself. */
const char *room_reason_translate(const char *reason, const char *language);
