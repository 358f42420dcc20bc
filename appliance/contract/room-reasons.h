/* The attention reasons: the plain words the recorder puts in the room's
 * attention list, in English (as published in the state file) and Dutch
 * (for the status page), and who each one is for. Every reason is declared
 * once, in ROOM_REASONS below, with both its words, so that a reason
 * without a translation cannot be built: the enum, the table and the
 * _Static_assert in room-reasons.c all come from that one list, and
 * raising a reason takes the enum, never a string. Words for shelter
 * staff: what is wrong with the room, never who is in it. */
#pragma once

#include <errno.h>
#include <stdbool.h>

/* X(name, kind, English, Dutch). kind: BLOCKS (the room cannot record, or
 * a session has a fault: shown in the page's headline) or IT (a detail for
 * police IT, on one small line below the headline: a warning that lets the
 * room record, or what an unprovisioned room lacks, whose headline says
 * REASON_NOT_PROVISIONED's words). */
#define ROOM_REASONS(X)                                                                                     \
        X(REASON_CAMERA_DISCONNECTED, BLOCKS, "camera disconnected", "camera losgekoppeld")                 \
        X(REASON_CAMERA2_DISCONNECTED, BLOCKS, "second camera disconnected", "tweede camera losgekoppeld")  \
        X(REASON_CAMERA_BLACK, BLOCKS, "camera shows black", "camerabeeld is zwart")                        \
        X(REASON_CAMERA2_BLACK, BLOCKS, "second camera shows black", "beeld van de tweede camera is zwart") \
        X(REASON_CAMERA_FROZEN, BLOCKS, "camera picture frozen", "camerabeeld staat stil")                  \
        X(REASON_CAMERA2_FROZEN, BLOCKS, "second camera picture frozen",                                    \
          "beeld van de tweede camera staat stil")                                                          \
        X(REASON_MIC_DISCONNECTED, BLOCKS, "microphone disconnected", "microfoon losgekoppeld")             \
        X(REASON_MIC_DEAD, BLOCKS, "microphone dead", "microfoon geeft geen signaal")                       \
        X(REASON_MIC_SILENT, BLOCKS, "microphone silent", "microfoon neemt bijna niets op")                 \
        X(REASON_INTERVIEWEE_MIC_DEAD, BLOCKS, "interviewee microphone dead",                               \
          "microfoon van de geïnterviewde geeft geen signaal")                                              \
        X(REASON_INTERVIEWEE_MIC_SILENT, BLOCKS, "interviewee microphone silent",                           \
          "microfoon van de geïnterviewde neemt bijna niets op")                                            \
        X(REASON_INTERVIEWER_MIC_DEAD, BLOCKS, "interviewer microphone dead",                               \
          "microfoon van de interviewer geeft geen signaal")                                                \
        X(REASON_INTERVIEWER_MIC_SILENT, BLOCKS, "interviewer microphone silent",                           \
          "microfoon van de interviewer neemt bijna niets op")                                              \
        X(REASON_INTERPRETER_MIC_DEAD, BLOCKS, "interpreter microphone dead",                               \
          "microfoon van de tolk geeft geen signaal")                                                       \
        X(REASON_INTERPRETER_MIC_SILENT, BLOCKS, "interpreter microphone silent",                           \
          "microfoon van de tolk neemt bijna niets op")                                                     \
        X(REASON_SECOND_INTERVIEWER_MIC_DEAD, BLOCKS, "second interviewer microphone dead",                 \
          "microfoon van de tweede interviewer geeft geen signaal")                                         \
        X(REASON_SECOND_INTERVIEWER_MIC_SILENT, BLOCKS, "second interviewer microphone silent",             \
          "microfoon van de tweede interviewer neemt bijna niets op")                                       \
        X(REASON_DEVICES_UNUSABLE, BLOCKS, "camera or microphone cannot be opened",                         \
          "camera of microfoon werkt niet")                                                                 \
        X(REASON_DISK_LOW, IT, "disk almost full", "schijf bijna vol")                                      \
        X(REASON_DISK_TOO_FULL, BLOCKS, "disk too full to record", "schijf te vol om op te nemen")          \
        X(REASON_DISK_FULL, BLOCKS, "disk full", "schijf vol")                                              \
        X(REASON_CLOCK_UNSYNCED, IT, "clock not synchronised", "klok niet gelijkgezet")                     \
        X(REASON_BACKLOG, IT, "recordings waiting for the vault", "opnames wachten op de kluis")            \
        X(REASON_VAULT_NOT_LOCKING, IT, "vault does not lock recordings",                                   \
          "kluis vergrendelt de opnames niet")                                                              \
        X(REASON_VAULT_REFUSED, IT, "vault refuses the appliance's credentials",                            \
          "kluis weigert de sleutels van het apparaat")                                                     \
        X(REASON_VAULT_VERIFICATION_FAILED, IT, "vault verification failed — call police IT",               \
          "controle in de kluis mislukt — bel de politie-ICT")                                              \
        X(REASON_PANEL_DISCONNECTED, BLOCKS, "panel disconnected", "bedieningspaneel losgekoppeld")         \
        X(REASON_LAST_FAULT, BLOCKS, "the last recording ended on a fault",                                 \
          "de laatste opname eindigde met een storing")                                                     \
        X(REASON_RECOVERY_FAILED, BLOCKS, "interrupted sessions could not be closed",                       \
          "onderbroken opnames konden niet worden afgesloten")                                              \
        X(REASON_RECORDER_DOWN, BLOCKS, "recorder not running", "recorder draait niet")                     \
        X(REASON_NOT_PROVISIONED, BLOCKS, "not set up", "niet ingericht")                                   \
        X(REASON_NO_RECIPIENT, IT, "no vault recipient", "geen kluissleutel ingesteld")                     \
        X(REASON_NO_DEVICE_KEY, IT, "no device key", "geen apparaatsleutel")                                \
        X(REASON_NO_OFFICERS, IT, "no officers", "geen rechercheurs ingericht")                             \
        X(REASON_BEHIND_REAL_TIME, BLOCKS, "recording falls behind real time",                              \
          "opname loopt achter op de echte tijd")                                                           \
        X(REASON_SEGMENT_NOT_SEALED, BLOCKS, "a segment could not be sealed",                               \
          "een deel van de opname kon niet worden verzegeld")                                               \
        X(REASON_CUSTODY_UNWRITABLE, BLOCKS, "the custody log cannot be written",                           \
          "het bewakingslogboek kan niet worden geschreven")

#define ROOM_REASON_ENUM_(name, kind, en, nl) name,
typedef enum room_reason {
        ROOM_REASONS(ROOM_REASON_ENUM_) _ROOM_REASON_MAX,
        _ROOM_REASON_INVALID = -EINVAL,
} room_reason;
#undef ROOM_REASON_ENUM_

/* The English words (what the state file carries); NULL when out of range. */
const char *room_reason_to_string(room_reason r);
/* The reason whose English words are s; _ROOM_REASON_INVALID otherwise. */
room_reason room_reason_from_string(const char *s);
/* r's words in language ("nl", else English). */
const char *room_reason_words(room_reason r, const char *language);
/* A published reason (English words) in language; an unknown reason or
 * language gives reason itself. */
const char *room_reason_translate(const char *reason, const char *language);
/* Whether a published reason is a police-IT warning that lets the room
 * record (clock, vault, backlog, disk almost full); an unknown reason is
 * not (it is shown in the headline: nothing is hidden from staff). */
bool room_reason_is_it_warning(const char *reason);
