/* Start latency of the capture pipeline: from Start to sealed bytes on disk.
 *
 * Pre-rolled (what the daemon does while the room is ready): the pipeline
 * is built without a session folder and runs for PREROLL_MS; Start is
 * capture_pipeline_open into a fresh folder. Cold (what --once does): Start
 * is capture_pipeline_build with the folder plus setting it to PLAYING.
 * For each start an inotify watch on the folder times two moments:
 *   created — seg-000001.mkv.age exists (its age header follows at once);
 *   sealed  — its size passes one 64 KiB STREAM chunk: the first media,
 *             beginning with the keyframe, is sealed and written.
 * Prints each start, then median and worst. Not a test: figures only.
 *   usage: start-latency PROFILE RECIPIENT [STARTS [PREROLL_MS [COLD_STARTS]]] */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "seal.h"

#define FIRST_CHUNK 65536
#define SEGMENT "seg-000001.mkv.age"

typedef struct sample {
        double created_ms, sealed_ms;
} sample;

static double now_ms(void) {
        return (double) g_get_monotonic_time() / 1000.0;
}

/* Waits (up to 10 s) for the first segment to be created and to pass one
 * chunk; times are from t0. */
static int wait_sealed(int ifd, const char *dir, double t0, sample *s) {
        g_autofree gchar *path = g_build_filename(dir, SEGMENT, NULL);
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

        s->created_ms = s->sealed_ms = -1;
        while (s->sealed_ms < 0) {
                struct pollfd pfd = {.fd = ifd, .events = POLLIN};
                struct stat st;
                ssize_t n;

                if (poll(&pfd, 1, 10000) <= 0)
                        return -ETIMEDOUT;
                n = read(ifd, buf, sizeof(buf));
                if (n <= 0)
                        return -EIO;
                if (s->created_ms < 0 && stat(path, &st) == 0)
                        s->created_ms = now_ms() - t0;
                if (s->created_ms >= 0 && stat(path, &st) == 0 && st.st_size > FIRST_CHUNK)
                        s->sealed_ms = now_ms() - t0;
        }
        return 0;
}

static int one_start(const capture_profile *p, const char *recipient, gboolean preroll, guint preroll_ms,
                     sample *s) {
        g_autofree gchar *dir = g_dir_make_tmp("start-latency.XXXXXX", NULL);
        g_autofree gchar *msg = NULL, *seg = NULL;
        capture_options o = {.recipients = recipient};
        GstElement *pipeline = NULL;
        int ifd, r;
        double t0;

        if (!dir)
                return -errno;
        ifd = inotify_init1(IN_CLOEXEC);
        if (ifd < 0 || inotify_add_watch(ifd, dir, IN_CREATE | IN_MODIFY) < 0)
                return -errno;
        if (preroll) {
                r = capture_pipeline_build(p, &o, &pipeline, &msg);
                if (r < 0)
                        goto out;
                gst_element_set_state(pipeline, GST_STATE_PLAYING);
                (void) gst_element_get_state(pipeline, NULL, NULL, 5 * GST_SECOND);
                g_usleep(preroll_ms * 1000);
                t0 = now_ms();
                r = capture_pipeline_open(pipeline, dir, &msg);
        } else {
                o.session_dir = dir;
                t0 = now_ms();
                r = capture_pipeline_build(p, &o, &pipeline, &msg);
                if (r >= 0 && gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
                        r = -EIO;
        }
        if (r >= 0)
                r = wait_sealed(ifd, dir, t0, s);
out:
        if (r < 0)
                fprintf(stderr, "start-latency: %s (%s)\n", msg ? msg : "failed", g_strerror(-r));
        if (pipeline) {
                gst_element_set_state(pipeline, GST_STATE_NULL);
                gst_object_unref(pipeline);
        }
        close(ifd);
        seg = g_build_filename(dir, SEGMENT, NULL);
        (void) unlink(seg);
        (void) rmdir(dir);
        return r;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static void summary(const char *what, const char *moment, double *v, size_t n) {
        qsort(v, n, sizeof(*v), cmp_double);
        printf("%-10s %-8s median %7.1f ms   worst %7.1f ms   best %7.1f ms   (%zu starts)\n", what, moment,
               n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[n - 1], v[0], n);
}

static int series(const capture_profile *p, const char *recipient, gboolean preroll, guint preroll_ms,
                  unsigned starts) {
        g_autofree double *created = g_new0(double, starts);
        g_autofree double *sealed = g_new0(double, starts);
        const char *what = preroll ? "pre-rolled" : "cold";

        for (unsigned i = 0; i < starts; i++) {
                sample s;
                int r = one_start(p, recipient, preroll, preroll_ms, &s);
                if (r < 0)
                        return r;
                printf("%s start %2u: created %6.1f ms, first chunk sealed %6.1f ms\n", what, i + 1,
                       s.created_ms, s.sealed_ms);
                created[i] = s.created_ms;
                sealed[i] = s.sealed_ms;
        }
        summary(what, "created", created, starts);
        summary(what, "sealed", sealed, starts);
        return 0;
}

int main(int argc, char **argv) {
        capture_profile *p = NULL;
        g_autofree gchar *msg = NULL;
        unsigned starts, cold;
        guint preroll_ms;
        int r;

        gst_init(&argc, &argv);
        if (argc < 3 || argc > 6) {
                fprintf(stderr,
                        "usage: start-latency PROFILE RECIPIENT [STARTS [PREROLL_MS [COLD_STARTS]]]\n");
                return 2;
        }
        starts = argc > 3 ? (unsigned) CLAMP(g_ascii_strtoull(argv[3], NULL, 10), 1, 1000) : 20;
        preroll_ms = argc > 4 ? (guint) CLAMP(g_ascii_strtoull(argv[4], NULL, 10), 0, 60000) : 1000;
        cold = argc > 5 ? (unsigned) CLAMP(g_ascii_strtoull(argv[5], NULL, 10), 0, 1000) : 5;
        seal_register();
        if (capture_profile_load(argv[1], &p, &msg) < 0) {
                fprintf(stderr, "start-latency: %s\n", msg);
                return 1;
        }
        printf("start-latency: profile %s, %u pre-rolled starts (%u ms pre-roll each), %u cold starts\n",
               capture_profile_path(p), starts, preroll_ms, cold);
        r = series(p, argv[2], TRUE, preroll_ms, starts);
        if (r >= 0 && cold)
                r = series(p, argv[2], FALSE, 0, cold);
        capture_profile_free(p);
        return r < 0 ? 1 : 0;
}
