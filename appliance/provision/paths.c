/* Where studio-provision reads and writes, all under one root. */
#include "provision.h"

#include <string.h>

static gchar *under(const char *root, const char *path) {
        return g_strconcat(root, path, NULL);
}

provision_paths *provision_paths_new(const char *root) {
        provision_paths *p = g_new0(provision_paths, 1);

        /* "/" and "" are the device itself; no path ever starts with "//".
         * Absolute, because these paths are written into studio.conf. */
        p->root = root && *root ? g_canonicalize_filename(root, NULL) : g_strdup("");
        if (strcmp(p->root, "/") == 0)
                p->root[0] = '\0';
        p->bundle_dir = under(p->root, "/etc/studio/provision");
        p->drive = under(p->root, "/dev/disk/by-label/STUDIO-PROV");
        p->mount_parent = under(p->root, "/run");
        p->it_key = under(p->root, "/usr/share/studio/police-it.pub");
        p->conf = under(p->root, "/etc/studio/studio.conf");
        p->recipients = under(p->root, "/etc/studio/recipients");
        p->officers = under(p->root, "/etc/studio/officers");
        p->intake_key = under(p->root, "/etc/studio/intake.pub");
        p->keys_dir = under(p->root, "/var/lib/studio/keys");
        p->marker = under(p->root, "/var/lib/studio/provisioned");
        p->console = under(p->root, "/dev/console");
        p->passwd = under(p->root, "/etc/passwd");
        p->group = under(p->root, "/etc/group");
        return p;
}

provision_paths *provision_paths_free(provision_paths *p) {
        if (!p)
                return NULL;
        g_free(p->root);
        g_free(p->bundle_dir);
        g_free(p->drive);
        g_free(p->mount_parent);
        g_free(p->it_key);
        g_free(p->conf);
        g_free(p->recipients);
        g_free(p->officers);
        g_free(p->intake_key);
        g_free(p->keys_dir);
        g_free(p->marker);
        g_free(p->console);
        g_free(p->passwd);
        g_free(p->group);
        g_free(p);
        return NULL;
}
