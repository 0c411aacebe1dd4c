/* tcpfsm-flow.c - the "tcpfsm" flow of Wireshark's Flow Graph.
 *
 *   Statistics > Flow Graph, Flow type "TCP State Machine" (GUI)
 *   tshark -q -z flow,tcpfsm,standard[,FILTER]     (or ,network)
 *
 * One arrow per labelled TCP segment, from its sender to its receiver.
 * The arrow's text is the step ("FIN-ACK Teardown 2/3", "SYN Handshake
 * 1/3", "RST Reset", "Data"); its comment is both endpoints' states,
 * client first ("client FIN_WAIT_1 → TIME_WAIT, server CLOSE_WAIT →
 * LAST_ACK"), then the anomalies in brackets.  Everything comes from the
 * per-frame record the dissector stored (the tcpfsm tap hands it over):
 * this file only words it, it decides nothing about TCP.
 *
 * Wireshark 4.0's development package does not install
 * epan/sequence_analysis.h, although libwireshark.so.16 exports its
 * functions.  The declarations below are written for this file to match
 * the ABI of the parts of that header it uses (Wireshark 4.0.17, the same
 * in every 4.0.x: libwireshark.so.16).  They are sound because:
 *   - this plugin only loads in Wireshark 4.0.x (plugin_want_major/minor
 *     in packet-tcpfsm.c; Wireshark refuses it elsewhere), and it is built
 *     only against 4.0's headers (the #error below);
 *   - every seq_analysis_item_t is allocated by libwireshark
 *     (sequence_analysis_create_sai_with_addresses) and freed by it
 *     (sequence_analysis_list_free: g_free of frame_label, time_str,
 *     comment, info_ptr and the item), so its size is libwireshark's own;
 *     the strings given to it are g_malloc'd;
 *   - the offsets of the fields written here are checked at compile time
 *     (LP64) against the ones libwireshark.so.16 uses (read off its code),
 *     and at registration and on the first item at run time: should they
 *     ever disagree, the flow is not registered, or stops adding items,
 *     instead of writing into the wrong place.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/address.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include "tcpfsm.h"
#include "tcpfsm-plugin.h"

#if WIRESHARK_VERSION_MAJOR != 4 || WIRESHARK_VERSION_MINOR != 0
#error "tcpfsm-flow.c declares Wireshark 4.0's sequence analysis ABI: check epan/sequence_analysis.h of this version"
#endif

/* ---- the ABI of Wireshark 4.0's epan/sequence_analysis.h (not installed) ---- */

#define TCPFSM_SA_MAX_NUM_NODES 40

typedef struct _seq_analysis_item {
    guint32 frame_number;
    address src_addr;
    guint16 port_src;
    address dst_addr;
    guint16 port_dst;
    gchar *frame_label;      /* the label on top of the arrow */
    gchar *time_str;         /* timestamp */
    gchar *comment;          /* a comment that appears at the right of the graph */
    guint16 conv_num;        /* the conversation number */
    unsigned fg_color;       /* 0xRRGGBB, Qt only */
    unsigned bg_color;       /* 0xRRGGBB, Qt only */
    gboolean has_color_filter;
    gboolean display;        /* shown in the graph */
    guint src_node;
    guint dst_node;
    guint16 line_style;      /* arrow line width in pixels */
    guint32 info_type;       /* GA_INFO_TYPE_NONE = 0 */
    gpointer info_ptr;       /* g_free'd by libwireshark */
} seq_analysis_item_t;

typedef struct _seq_analysis_info {
    const char *name;
    gboolean any_addr;       /* DL+net ("standard") vs net-only ("network") */
    int nconv;
    GQueue *items;           /* of seq_analysis_item_t */
    GHashTable *ht;
    address nodes[TCPFSM_SA_MAX_NUM_NODES];
    guint32 num_nodes;
} seq_analysis_info_t;

WS_DLL_PUBLIC void register_seq_analysis(const char *name, const char *ui_name,
                                         const int proto_id, const char *tap_listener,
                                         guint tap_flags, tap_packet_cb tap_func);
WS_DLL_PUBLIC seq_analysis_item_t *
sequence_analysis_create_sai_with_addresses(packet_info *pinfo, seq_analysis_info_t *sainfo);
WS_DLL_PUBLIC void sequence_analysis_use_color_filter(packet_info *pinfo, seq_analysis_item_t *sai);
WS_DLL_PUBLIC seq_analysis_info_t *sequence_analysis_info_new(void);
WS_DLL_PUBLIC void sequence_analysis_info_free(seq_analysis_info_t *sainfo);

/* The offsets libwireshark.so.16 (4.0.17, amd64) uses: g_malloc0(0x90)
 * for an item, time_str at 0x50, frame_label 0x48, comment 0x58,
 * fg/bg_color 0x64/0x68, has_color_filter 0x6c, dst_addr 0x28;
 * g_malloc0(0x3e8) for an info, items at 0x10, ht at 0x18. */
#if defined(__x86_64__) || defined(__aarch64__)
G_STATIC_ASSERT(sizeof(address) == 24);
G_STATIC_ASSERT(sizeof(seq_analysis_item_t) == 0x90);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, src_addr) == 0x08);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, port_src) == 0x20);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, dst_addr) == 0x28);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, port_dst) == 0x40);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, frame_label) == 0x48);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, time_str) == 0x50);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, comment) == 0x58);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, conv_num) == 0x60);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, fg_color) == 0x64);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, bg_color) == 0x68);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, has_color_filter) == 0x6c);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, display) == 0x70);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, line_style) == 0x7c);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, info_ptr) == 0x88);
G_STATIC_ASSERT(sizeof(seq_analysis_info_t) == 0x3e8);
G_STATIC_ASSERT(offsetof(seq_analysis_info_t, items) == 0x10);
G_STATIC_ASSERT(offsetof(seq_analysis_info_t, ht) == 0x18);
#endif

/* ---- the words of an arrow (presentation only) ---- */

/* What the segment is, in the words of a sequence diagram. */
static const char *flow_word(const tcpfsm_frame_rec *r)
{
    switch ((tcpfsm_event)r->event) {
    case TCPFSM_EV_SYN: return "SYN";
    case TCPFSM_EV_SYN_ACK: return "SYN-ACK";
    case TCPFSM_EV_HS_ACK: return "ACK";
    case TCPFSM_EV_DATA: return "Data";
    case TCPFSM_EV_ACK: return "ACK";
    case TCPFSM_EV_FIN1: return "FIN";
    case TCPFSM_EV_FIN1_ACK: return "ACK";
    /* the second FIN of a three-segment close (step 2/3) also
     * acknowledges the first one */
    case TCPFSM_EV_FIN2: return r->step_of == 3 ? "FIN-ACK" : "FIN";
    case TCPFSM_EV_FIN2_ACK: return "ACK";
    case TCPFSM_EV_RST: return "RST";
    case TCPFSM_EV_OTHER: return "Other";
    default: return "?";
    }
}

/* The sequence the step belongs to (NULL: none). */
static const char *flow_section(const tcpfsm_frame_rec *r)
{
    switch ((tcpfsm_event)r->event) {
    case TCPFSM_EV_SYN: case TCPFSM_EV_SYN_ACK: case TCPFSM_EV_HS_ACK:
        return "Handshake";
    case TCPFSM_EV_FIN1: case TCPFSM_EV_FIN1_ACK: case TCPFSM_EV_FIN2:
    case TCPFSM_EV_FIN2_ACK:
        return "Teardown";
    case TCPFSM_EV_RST:
        return (tcpfsm_close)r->close == TCPFSM_CL_REFUSED ? "Refused" : "Reset";
    default:
        return NULL;
    }
}

/* "FIN-ACK Teardown 2/3", "RST Reset", "Data" (g_free it) */
static gchar *flow_label(const tcpfsm_frame_rec *r)
{
    const char *word = flow_word(r), *section = flow_section(r);
    if (section && r->step_of)
        return g_strdup_printf("%s %s %u/%u", word, section, r->step_num, r->step_of);
    if (section)
        return g_strdup_printf("%s %s", word, section);
    return g_strdup(word);
}

/* "client FIN_WAIT_1 → TIME_WAIT, server CLOSE_WAIT → LAST_ACK" then
 * " [anomaly, ...]"; an endpoint whose state does not change shows it
 * once (g_free it) */
static gchar *flow_comment(const tcpfsm_frame_rec *r)
{
    GString *s = g_string_new(NULL);
    const tcpfsm_role who[2] = {TCPFSM_ROLE_CLIENT, TCPFSM_ROLE_SERVER};
    for (int i = 0; i < 2; i++) {
        bool sender = (tcpfsm_role)r->role == who[i];
        tcpfsm_state before = (tcpfsm_state)(sender ? r->src_prev : r->dst_prev);
        tcpfsm_state after = (tcpfsm_state)(sender ? r->src_state : r->dst_state);
        g_string_append_printf(s, "%s%s %s", i ? ", " : "", tcpfsm_role_name(who[i]),
                               tcpfsm_state_name(before));
        if (after != before)
            g_string_append_printf(s, " \xe2\x86\x92 %s", tcpfsm_state_name(after));
    }
    if (r->anomalies) {
        char an[256];
        tcpfsm_anomalies_str(r->anomalies, an, sizeof an);
        g_string_append_printf(s, " [%s]", an);
    }
    return g_string_free(s, FALSE);
}

/* ---- the tap ---- */

static gboolean layout_ok = TRUE;

static tap_packet_status flow_packet(void *tapdata, packet_info *pinfo,
                                     epan_dissect_t *edt _U_, const void *data,
                                     tap_flags_t flags _U_)
{
    seq_analysis_info_t *sainfo = (seq_analysis_info_t *)tapdata;
    const tcpfsm_frame_rec *r = (const tcpfsm_frame_rec *)data;

    if (!r || !layout_ok)
        return TAP_PACKET_DONT_REDRAW;
    seq_analysis_item_t *sai = sequence_analysis_create_sai_with_addresses(pinfo, sainfo);
    if (!sai)
        return TAP_PACKET_DONT_REDRAW;
    /* libwireshark filled the addresses and time_str: they must be where
     * this file expects them */
    const address *want = sainfo->any_addr ? &pinfo->net_src : &pinfo->src;
    if (!sai->time_str || sai->src_addr.type != want->type || sai->frame_label ||
        sai->comment || sai->info_ptr) {
        layout_ok = FALSE; /* leaks this one item rather than guess */
        ws_warning("tcpfsm: this Wireshark's Flow Graph items are not laid out as "
                   "in 4.0; the tcpfsm flow is off");
        return TAP_PACKET_DONT_REDRAW;
    }

    sai->frame_number = pinfo->num;
    sai->port_src = (guint16)pinfo->srcport;
    sai->port_dst = (guint16)pinfo->destport;
    sai->frame_label = flow_label(r);
    sai->comment = flow_comment(r);
    /* one colour per connection in the GUI: Wireshark's TCP stream number
     * when known, as the "tcp" flow does */
    const tcpfsm_conn_rec *c = tcpfsm_plugin_conn(r->conn_id);
    sai->conv_num = (guint16)(c && c->sum.stream >= 0 ? (guint64)c->sum.stream
                                                        : r->conn_id);
    sai->line_style = 1;
    sai->display = TRUE;
    sequence_analysis_use_color_filter(pinfo, sai);

    g_queue_push_tail(sainfo->items, sai);
    return TAP_PACKET_REDRAW;
}

void tcpfsm_flow_register(int proto)
{
    /* A run-time look at one libwireshark-made info: its queue and hash
     * table must be where this file reads them. */
    seq_analysis_info_t *probe = sequence_analysis_info_new();
    bool ok = probe && probe->items && probe->ht && !probe->name && !probe->any_addr &&
              probe->nconv == 0 && probe->num_nodes == 0 &&
              g_queue_get_length(probe->items) == 0 && g_hash_table_size(probe->ht) == 0;
    if (probe)
        sequence_analysis_info_free(probe);
    if (!ok) {
        ws_warning("tcpfsm: this Wireshark's Flow Graph is not laid out as in 4.0; "
                   "no tcpfsm flow");
        return;
    }
    register_seq_analysis("tcpfsm", "TCP State Machine", proto, TCPFSM_TAP_NAME,
                          TL_REQUIRES_NOTHING, flow_packet);
}
