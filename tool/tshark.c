/* tshark.c - run tshark (without a shell) to export the fields we read. */
#include "tshark.h"

#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tsv.h"

char **tshark_argv(const char *tshark, const char *capture, bool checksums)
{
    GPtrArray *a = g_ptr_array_new();
    const char *head[] = {
        tshark, "-n", "-r", capture, "-T", "fields", "-E", "header=y",
        "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
        "-E", "quote=n",
    };
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        g_ptr_array_add(a, g_strdup(head[i]));
    if (checksums) {
        g_ptr_array_add(a, g_strdup("-o"));
        g_ptr_array_add(a, g_strdup("tcp.check_checksum:TRUE"));
    }
    for (int f = 0; f < TCPFSM_F_COUNT; f++) {
        g_ptr_array_add(a, g_strdup("-e"));
        g_ptr_array_add(a, g_strdup(tsv_field_name(f)));
    }
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

char *tshark_command_line(const char *capture)
{
    char **argv = tshark_argv("tshark", capture, false);
    GString *s = g_string_new(NULL);
    for (char **p = argv; *p; p++) {
        if (p != argv)
            g_string_append_c(s, ' ');
        if (strpbrk(*p, " \t'\"\\$`*?[]{}()<>|;&!#~") || !**p) {
            char *q = g_shell_quote(*p);
            g_string_append(s, q);
            g_free(q);
        } else {
            g_string_append(s, *p);
        }
    }
    g_strfreev(argv);
    return g_string_free(s, FALSE);
}

bool is_capture_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    unsigned char m[4];
    size_t n = fread(m, 1, 4, fp);
    fclose(fp);
    if (n < 4)
        return false;
    static const unsigned char magics[][4] = {
        {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, /* pcap us */
        {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}, /* pcap ns */
        {0x0a, 0x0d, 0x0d, 0x0a},                           /* pcapng */
        {0x1f, 0x8b, 0x08, 0x00},                           /* gzip */
    };
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        size_t len = magics[i][3] == 0x00 ? 3 : 4;
        if (memcmp(m, magics[i], len) == 0)
            return true;
    }
    return false;
}

bool tshark_start(tshark_proc *p, const char *tshark, const char *capture,
                  bool checksums, char *err, size_t errsize)
{
    char **argv = tshark_argv(tshark, capture, checksums);
    GError *gerr = NULL;
    int out_fd = -1;
    GPid pid;
    gboolean ok = g_spawn_async_with_pipes(
        NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
        NULL, NULL, &pid, NULL, &out_fd, NULL, &gerr);
    g_strfreev(argv);
    if (!ok) {
        snprintf(err, errsize, "cannot run %s: %s", tshark, gerr->message);
        g_error_free(gerr);
        return false;
    }
    p->pid = pid;
    p->out = fdopen(out_fd, "r");
    if (!p->out) {
        snprintf(err, errsize, "fdopen: %s", strerror(errno));
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return false;
    }
    return true;
}

int tshark_finish(tshark_proc *p)
{
    int status = 0;
    if (p->out) {
        fclose(p->out);
        p->out = NULL;
    }
    if (p->pid <= 0)
        return -1;
    while (waitpid(p->pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    p->pid = 0;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
