/* The studio-keys subcommands: each parses its own options and returns an
 * exit code (keys-common.h). */
#pragma once

#include <stdio.h>

int keys_cmd_vault_init(int argc, char **argv);
int keys_cmd_device_init(int argc, char **argv);
int keys_cmd_device_rotate(int argc, char **argv);
int keys_cmd_sign(int argc, char **argv);
int keys_cmd_verify(int argc, char **argv);
int keys_cmd_officer_add(int argc, char **argv);
int keys_cmd_officer_remove(int argc, char **argv);
int keys_cmd_officer_list(int argc, char **argv);
int keys_cmd_enrol(int argc, char **argv);
int keys_cmd_revoke(int argc, char **argv);
int keys_cmd_it_key_init(int argc, char **argv);
int keys_cmd_registry_sign(int argc, char **argv);
int keys_cmd_bundle_make(int argc, char **argv);
int keys_cmd_intake_init(int argc, char **argv);

/* enrol --kind KIND --pub FILE --name NAME --registry FILE [--it-key KEY]. */
int keys_enrol_kind(const char *registry, const char *kind, const char *pub, const char *name,
                    const char *it_key);

/* Prints DIR's enrolment record (text, or JSON); returns an exit code. */
int keys_enrol_print(const char *dir, int json);
/* The text record to out (studio-provision prints it on the console too). */
int keys_enrol_fprint(FILE *out, const char *dir);
