/* What [observation] video_sink and audio_sink may say: one local sink
 * element and, for each, only the properties known to keep the picture and
 * sound on this machine (a connector, an ALSA card, the sync flag …), each
 * with a value of the form it expects. Never a device string naming a file
 * or a host (alsasink device=file:/PATH,raw writes plaintext PCM), never a
 * dumping sink (fakesink dump=true), never a server (pulsesink server=tcp:…).
 * An unknown property is refused, not ignored: the list grows only with
 * properties someone checked. docs/observation.md lists them. */
#pragma once

#include <stdbool.h>

/* 0, or -EINVAL and *ret_why (g_free) saying what is refused and what to
 * write instead. */
int observation_sink_check(const char *description, bool video, char **ret_why);

/* The allowed elements, NULL-terminated, for the messages and the docs. */
const char *const *observation_sink_names(bool video);
