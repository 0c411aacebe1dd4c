/* hints.c - when an input is not a `tshark -T fields -E header=y` export,
 * say what it looks like and what to run instead (input.c calls it on an
 * unusable header).  No TCP rules: only the shape of the first line. */
#include "hints.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "tcpfsm_fields.h"
#include "tshark.h"
#include "tsv.h"

/* how many known tshark field names the line holds, whatever separates
 * them */
static int known_names(const char *line)
{
    int n = 0;
    for (int f = 0; f < TCPFSM_F_COUNT; f++) {
        const char *name = tsv_field_name(f);
        size_t len = strlen(name);
        for (const char *p = strstr(line, name); p; p = strstr(p + 1, name)) {
            char after = p[len];
            char before = p == line ? ',' : p[-1];
            if (!isalnum((unsigned char)after) && after != '.' && after != '_' &&
                !isalnum((unsigned char)before) && before != '.' && before != '_') {
                n++;
                break;
            }
        }
    }
    return n;
}

/* a first cell that is a frame number: a data row, not a header */
static bool starts_with_number(const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '"')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == '\t' || *p == ',' || *p == '"' || *p == '\0';
}

static void export_command(const char *capture)
{
    char *cmd = tshark_command_line(capture ? capture : "CAPTURE.pcapng");
    fprintf(stderr, "tcpfsm: or export it with:\n  %s > input.tsv\n", cmd);
    g_free(cmd);
}

bool hint_header(const char *name, const char *line, const char *capture)
{
    if (!line || !*line)
        return false;
    bool tabs = strchr(line, '\t') != NULL;
    int known = known_names(line);
    const char *p = line;
    while (*p == ' ' || *p == '\xef' || *p == '\xbb' || *p == '\xbf')
        p++; /* blanks, a UTF-8 byte order mark */

    if (*p == '{' || *p == '[') {
        bool ours = strstr(line, "\"event\"") && strstr(line, "\"src_state\"");
        fprintf(stderr, "tcpfsm: %s:1: header: this is JSON (%s), not a tshark "
                "-T fields export with a header line\n", name,
                ours ? "tcpfsm's own --format jsonl output"
                     : *p == '[' ? "tshark -T json?" : "tshark -T ek or JSON lines?");
        fprintf(stderr, "tcpfsm: run tcpfsm on the capture itself: tcpfsm annotate "
                "CAPTURE.pcapng\n");
        export_command(capture);
        return true;
    }
    if (!tabs && strchr(line, ',') && known) {
        bool ours = strstr(line, ",event,") && strstr(line, ",src_state,");
        fprintf(stderr, "tcpfsm: %s:1: header: this is a CSV file (%s; %d tshark "
                "field names, separated by commas): tcpfsm reads tab-separated "
                "exports\n", name,
                ours ? "tcpfsm's own --format csv output" : "tshark -E separator=,?",
                known);
        fprintf(stderr, "tcpfsm: run tcpfsm on the capture itself (tcpfsm annotate "
                "CAPTURE.pcapng), or export with -E separator=/t\n");
        export_command(capture);
        return true;
    }
    if (starts_with_number(line)) {
        fprintf(stderr, "tcpfsm: %s:1: header: the first line is a data row (it "
                "starts with a number), not a header: the export has no header "
                "line (tshark -T fields without -E header=y?)\n", name);
        fprintf(stderr, "tcpfsm: export again with -E header=y, or run tcpfsm on "
                "the capture itself: tcpfsm annotate CAPTURE.pcapng\n");
        export_command(capture);
        return true;
    }
    if (tabs && !strncmp(line, "stream\tclient\tserver\t", 21)) {
        fprintf(stderr, "tcpfsm: %s:1: header: this is a tcpfsm summary (one "
                "row per connection), not a tshark export (one row per "
                "segment)\n", name);
        fprintf(stderr, "tcpfsm: run tcpfsm on the capture or on its export: "
                "tcpfsm annotate CAPTURE.pcapng\n");
        return true;
    }
    if (!known) {
        bool text = true;
        for (const char *q = line; *q; q++)
            if ((unsigned char)*q < 0x20 && *q != '\t')
                text = false;
        fprintf(stderr, "tcpfsm: %s:1: header: this is not a tshark export or a "
                "capture: its first line names none of the tshark fields tcpfsm "
                "reads (%s)\n", name,
                text ? "a text file?" : "binary data that is not pcap or pcapng");
        fprintf(stderr, "tcpfsm: give tcpfsm a pcap/pcapng capture, or a tshark "
                "-T fields export made with -E header=y\n");
        export_command(capture);
        return true;
    }
    return false; /* a real header with a column missing: the usual message */
}
