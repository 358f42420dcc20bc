/* Translations of the attention reasons (room-reasons.h). */
#include "room-reasons.h"

#include <string.h>

#include "util.h"

static const struct {
        const char *en, *nl;
} reasons[] = {
        {REASON_CAMERA_DISCONNECTED, "camera losgekoppeld"},
        {REASON_CAMERA2_DISCONNECTED, "tweede camera losgekoppeld"},
        {REASON_CAMERA_BLACK, "camerabeeld is zwart"},
        {REASON_CAMERA2_BLACK, "beeld van de tweede camera is zwart"},
        {REASON_CAMERA_FROZEN, "camerabeeld staat stil"},
        {REASON_CAMERA2_FROZEN, "beeld van de tweede camera staat stil"},
        {REASON_MIC_DISCONNECTED, "microfoon losgekoppeld"},
        {REASON_MIC_DEAD, "microfoon geeft geen signaal"},
        {REASON_MIC_SILENT, "microfoon neemt bijna niets op"},
        {REASON_DEVICES_UNUSABLE, "camera of microfoon werkt niet"},
        {REASON_DISK_LOW, "schijf bijna vol"},
        {REASON_DISK_TOO_FULL, "schijf te vol om op te nemen"},
        {REASON_DISK_FULL, "schijf vol"},
        {REASON_CLOCK_UNSYNCED, "klok niet gelijkgezet"},
        {REASON_BACKLOG, "opnames wachten op de kluis"},
        {REASON_VAULT_NOT_LOCKING, "kluis vergrendelt de opnames niet"},
        {REASON_VAULT_REFUSED, "kluis weigert de sleutels van het apparaat"},
        {REASON_PANEL_DISCONNECTED, "bedieningspaneel losgekoppeld"},
        {REASON_LAST_FAULT, "de laatste opname eindigde met een storing"},
        {REASON_RECOVERY_FAILED, "onderbroken opnames konden niet worden afgesloten"},
        {REASON_RECORDER_DOWN, "recorder draait niet"},
        {REASON_NOT_PROVISIONED, "niet ingericht"},
};

const char *room_reason_translate(const char *reason, const char *language) {
        if (!reason || !language || strcmp(language, "nl") != 0)
                return reason;
        for (size_t i = 0; i < ELEMENTSOF(reasons); i++)
                if (strcmp(reasons[i].en, reason) == 0)
                        return reasons[i].nl;
        return reason;
}
