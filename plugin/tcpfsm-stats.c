/* tcpfsm-stats.c - per-connection statistics of the tcpfsm plugin.
 *
 *   tshark -q -z tcpfsm,conns[,FILTER]
 *       the columns and rows of `tcpfsm summary`, tab-separated, between
 *       a title block and a closing line of '='.
 *   Statistics > TCP State Machine Connections (GUI), tshark -z tcpfsm,table
 *       the same values as a Wireshark "simple statistics" table.
 *
 * Both read the connection records the dissector keeps (the engine's
 * summaries); they count nothing themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include "tcpfsm.h"
#include "tcpfsm_lang.h"
#include "tcpfsm-plugin.h"
#include "ws-compat.h"

/* ------------------------------------------------------------------ */
/* tshark -z tcpfsm,conns[,FILTER]                                      */
/* ------------------------------------------------------------------ */

#define CONNS_CLI "tcpfsm,conns"

typedef struct conns_tap {
    GHashTable *seen; /* conn_ids of the frames that passed the filter */
    char *filter;
} conns_tap;

static tap_packet_status conns_packet(void *tapdata, packet_info *pinfo _U_,
                                      epan_dissect_t *edt _U_, const void *data,
                                      tap_flags_t flags _U_)
{
    conns_tap *t = (conns_tap *)tapdata;
    const tcpfsm_frame_rec *r = (const tcpfsm_frame_rec *)data;
    if (!r)
        return TAP_PACKET_DONT_REDRAW;
    gint64 id = (gint64)r->conn_id; /* the key is a gint64 */
    if (g_hash_table_contains(t->seen, &id))
        return TAP_PACKET_DONT_REDRAW;
    gint64 *k = g_new(gint64, 1);
    *k = id;
    g_hash_table_add(t->seen, k);
    return TAP_PACKET_REDRAW;
}

static void conns_reset(void *tapdata)
{
    conns_tap *t = (conns_tap *)tapdata;
    g_hash_table_remove_all(t->seen);
}

static bool conns_print_row(const tcpfsm_conn_rec *c, void *user)
{
    conns_tap *t = (conns_tap *)user;
    char buf[256];
    gint64 id = (gint64)c->conn_id;
    if (!g_hash_table_contains(t->seen, &id))
        return true;
    for (int f = 0; f < TCPFSM_SF_COUNT; f++)
        printf("%s%s", f ? "\t" : "", tcpfsm_summary_field_str(&c->sum, f, buf, sizeof buf));
    printf("\n");
    return true;
}

static const char rule_eq[] =
    "==================================================================="
    "=============\n";
static const char rule_dash[] =
    "-------------------------------------------------------------------"
    "-------------\n";

static void conns_draw(void *tapdata)
{
    conns_tap *t = (conns_tap *)tapdata;
    printf("\n%s", rule_eq);
    printf("TCP State Machine: connections (the columns of `tcpfsm summary`, "
           "tab-separated)\n");
    printf("Filter: %s\n", t->filter ? t->filter : "");
    printf("%s", rule_dash);
    for (int f = 0; f < TCPFSM_SF_COUNT; f++)
        printf("%s%s", f ? "\t" : "", tcpfsm_summary_field_name(f));
    printf("\n");
    tcpfsm_plugin_foreach_conn(conns_print_row, t);
    printf("%s", rule_eq);
}

static void conns_finish(void *tapdata)
{
    conns_tap *t = (conns_tap *)tapdata;
    g_hash_table_destroy(t->seen);
    g_free(t->filter);
    g_free(t);
}

static TCPFSM_TAP_INIT_RET conns_init(const char *opt_arg, void *userdata _U_)
{
    const size_t n = strlen(CONNS_CLI);
    const char *filter = NULL;
    if (strncmp(opt_arg, CONNS_CLI, n) == 0 && opt_arg[n] == ',')
        filter = opt_arg + n + 1;
    else if (strcmp(opt_arg, CONNS_CLI) != 0) {
        fprintf(stderr, "tshark: invalid \"-z %s\": use -z " CONNS_CLI "[,FILTER]\n",
                opt_arg);
        TCPFSM_TAP_INIT_FAIL;
    }
    conns_tap *t = g_new0(conns_tap, 1);
    t->seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    t->filter = filter && *filter ? g_strdup(filter) : NULL;
    GString *err = register_tap_listener(TCPFSM_TAP_NAME, t, t->filter, 0, conns_reset,
                                         conns_packet, conns_draw, conns_finish);
    if (err) {
        fprintf(stderr, "tshark: cannot register the " CONNS_CLI " tap: %s\n", err->str);
        g_string_free(err, TRUE);
        conns_finish(t);
        TCPFSM_TAP_INIT_FAIL;
    }
    TCPFSM_TAP_INIT_OK;
}

static tap_param filter_param[] = {
    {PARAM_FILTER, "filter", "Filter", NULL, TRUE},
};

static stat_tap_ui conns_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED,
    "TCP State Machine connections",
    CONNS_CLI,
    conns_init,
    array_length(filter_param),
    filter_param,
};

/* ------------------------------------------------------------------ */
/* The GUI table (a "simple statistics" table; also -z tcpfsm,table)    */
/* ------------------------------------------------------------------ */

#define TABLE_NAME "TCP connections"

/* The table's columns: what a reader needs first (SPEC.md 5: who is who,
 * how it opened and closed, who closed, where each end was left), then
 * where to find it and what was odd.  The other keys are in the packet
 * tree (tcpfsm.conn.*) and in -z tcpfsm,conns. */
static const int table_cols[] = {
    TCPFSM_SF_STREAM,       TCPFSM_SF_CLIENT,       TCPFSM_SF_SERVER,
    TCPFSM_SF_HANDSHAKE,    TCPFSM_SF_CLOSE,        TCPFSM_SF_ACTIVE_CLOSER,
    TCPFSM_SF_CLIENT_STATE, TCPFSM_SF_SERVER_STATE, TCPFSM_SF_FIRST_FRAME,
    TCPFSM_SF_LAST_FRAME,   TCPFSM_SF_DURATION,     TCPFSM_SF_ANOMALIES,
};
#define TABLE_NCOLS (sizeof table_cols / sizeof table_cols[0])

static stat_tap_table_item table_fields[TABLE_NCOLS];
/* the column headings in each language (table_fields points at them) */
static char *table_headings[TCPFSM_LANG_MAX][TABLE_NCOLS];
static GHashTable *table_rows; /* conn_id -> row + 1 */

static stat_tap_table_item_enum column_type(int f)
{
    switch (f) {
    case TCPFSM_SF_STREAM:
    case TCPFSM_SF_FIRST_FRAME:
    case TCPFSM_SF_LAST_FRAME:
    case TCPFSM_SF_CLIENT_PACKETS:
    case TCPFSM_SF_SERVER_PACKETS:
        return TABLE_ITEM_UINT;
    default:
        return TABLE_ITEM_STRING;
    }
}

static void fill_row(stat_tap_table_item_type *items, const tcpfsm_conn_rec *c)
{
    char buf[256];
    for (guint i = 0; i < TABLE_NCOLS; i++) {
        const char *v = tcpfsm_summary_field_str(&c->sum, table_cols[i], buf, sizeof buf);
        memset(&items[i], 0, sizeof items[i]);
        items[i].type = table_fields[i].type;
        if (items[i].type == TABLE_ITEM_UINT)
            items[i].value.uint_value = (guint)g_ascii_strtoull(v, NULL, 10);
        else
            items[i].value.string_value = g_strdup(v);
    }
    /* what the row shows, to skip rewriting it for every packet */
    items[0].user_data.uint_value = (guint)c->sum.last_frame;
    items[1].user_data.uint_value = (guint)(c->sum.client_packets + c->sum.server_packets);
}

static void table_free_item(stat_tap_table *table _U_, guint row _U_, guint column _U_,
                            stat_tap_table_item_type *field)
{
    if (field->type == TABLE_ITEM_STRING) {
        g_free((char *)field->value.string_value);
        field->value.string_value = NULL;
    }
}

static void table_reset(stat_tap_table *table)
{
    for (guint row = 0; row < table->num_elements; row++) {
        for (guint col = 0; col < table->num_fields; col++)
            table_free_item(table, row, col, &table->elements[row][col]);
        g_free(table->elements[row]);
    }
    g_free(table->elements);
    table->elements = NULL;
    table->num_elements = 0;
    if (table_rows)
        g_hash_table_remove_all(table_rows);
}

static void table_init(stat_tap_table_ui *ui)
{
    if (!table_rows)
        table_rows = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    stat_tap_table *t = stat_tap_find_table(ui, TABLE_NAME);
    if (t) {
        table_reset(t);
        return;
    }
    g_hash_table_remove_all(table_rows);
    t = stat_tap_init_table(TABLE_NAME, TABLE_NCOLS, 0, NULL);
    stat_tap_add_table(ui, t);
}

static tap_packet_status table_packet(void *tapdata, packet_info *pinfo _U_,
                                      epan_dissect_t *edt _U_, const void *data,
                                      tap_flags_t flags _U_)
{
    stat_data_t *sd = (stat_data_t *)tapdata;
    const tcpfsm_frame_rec *r = (const tcpfsm_frame_rec *)data;
    if (!r || !sd->stat_tap_data->tables || sd->stat_tap_data->tables->len == 0)
        return TAP_PACKET_DONT_REDRAW;
    stat_tap_table *t = g_array_index(sd->stat_tap_data->tables, stat_tap_table *, 0);
    const tcpfsm_conn_rec *c = tcpfsm_plugin_conn(r->conn_id);
    if (!c)
        return TAP_PACKET_DONT_REDRAW;

    stat_tap_table_item_type items[TABLE_NCOLS];
    gint64 key = (gint64)c->conn_id;
    gpointer slot = g_hash_table_lookup(table_rows, &key);
    if (!slot) {
        guint row = t->num_elements;
        fill_row(items, c);
        stat_tap_init_table_row(t, row, TABLE_NCOLS, items);
        gint64 *k = g_new(gint64, 1);
        *k = key;
        g_hash_table_insert(table_rows, k, GUINT_TO_POINTER(row + 1));
        return TAP_PACKET_REDRAW;
    }
    guint row = GPOINTER_TO_UINT(slot) - 1;
    stat_tap_table_item_type *cur = t->elements[row];
    if (cur[0].user_data.uint_value == (guint)c->sum.last_frame &&
        cur[1].user_data.uint_value ==
            (guint)(c->sum.client_packets + c->sum.server_packets))
        return TAP_PACKET_DONT_REDRAW;
    for (guint col = 0; col < t->num_fields; col++)
        table_free_item(t, row, col, &cur[col]);
    fill_row(items, c);
    for (guint i = 0; i < TABLE_NCOLS; i++)
        stat_tap_set_field_data(t, row, i, &items[i]);
    return TAP_PACKET_REDRAW;
}

static stat_tap_table_ui table_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED,
    "TCP State Machine Connections",
    TCPFSM_TAP_NAME,
    "tcpfsm,table",
    table_init,
    table_packet,
    table_reset,
    table_free_item,
    NULL,
    TABLE_NCOLS,
    table_fields,
    array_length(filter_param),
    filter_param,
    NULL,
    0,
};

void tcpfsm_stats_set_lang(tcpfsm_lang lang)
{
    if ((unsigned)lang >= TCPFSM_LANG_MAX || !table_headings[lang][0])
        return;
    /* read when a table dialog opens */
    for (guint i = 0; i < TABLE_NCOLS; i++)
        table_fields[i].column_name = table_headings[lang][i];
}

void tcpfsm_stats_register(void)
{
    for (guint i = 0; i < TABLE_NCOLS; i++) {
        int f = table_cols[i];
        /* Every column left-aligned, the first heading followed by
         * no-break spaces: Wireshark's dialog sizes the columns to their
         * contents before it shows the sort arrow in the first heading,
         * and the arrow then covered the heading (a right-aligned
         * "stream" showed as "tream"). */
        for (int lang = 0; lang < TCPFSM_LANG_MAX; lang++)
            table_headings[lang][i] =
                g_strconcat(tcpfsm_summary_field_title(f, (tcpfsm_lang)lang),
                            i == 0 ? "\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0" : "",
                            NULL);
        table_fields[i].type = column_type(f);
        table_fields[i].align = TAP_ALIGN_LEFT;
        table_fields[i].column_name = table_headings[TCPFSM_LANG_EN][i];
        table_fields[i].field_format = column_type(f) == TABLE_ITEM_UINT ? "%u" : "%s";
    }
    register_stat_tap_ui(&conns_ui, NULL);
    register_stat_tap_table_ui(&table_ui);
}
