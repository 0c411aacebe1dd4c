/* tcpfsm-flow.c - the "tcpfsm" flow of Wireshark's Flow Graph.
 *
 *   Statistics > Flow Graph, Flow type "TCP State Machine" (GUI)
 *   tshark -q -z flow,tcpfsm,standard[,FILTER]     (or ,network)
 *
 * One arrow per labelled TCP segment, from its sender to its receiver.
 * The nodes (lifelines) are address:port, so the two ends of a loopback
 * connection are two lifelines.  The arrow's text is the step ("FIN-ACK
 * Teardown 2/3", "SYN Handshake 1/3", "RST Reset", "Data"); its comment
 * is both endpoints' states after the segment, client first ("client
 * TIME_WAIT, server LAST_ACK": short enough for the GUI's comment column,
 * which cuts at 20 em), then the segment's Seq and Ack as Wireshark's own
 * TCP flow words them ("Seq = 6 Ack = 7", relative numbers), the moves
 * ("client FIN_WAIT_1 → TIME_WAIT, ...") and the anomalies in brackets.
 * Everything comes from the per-frame record the dissector stored (the
 * tcpfsm tap hands it over): this file only words it, it decides nothing
 * about TCP.
 *
 * No Wireshark development package installs epan/sequence_analysis.h,
 * although libwireshark exports its functions.  The declarations below
 * are pinned, one layout per branch, to the real header of that branch
 * (4.0: gboolean fields; 4.4: bool fields and the info's occurrence[]
 * array; 4.6: and the item's free_info_ptr callback).  They are sound
 * because:
 *   - the plugin only loads into the X.Y it was built for
 *     (plugin_want_major/minor), and the layout is chosen from the headers
 *     it is built against; a branch without a verified layout (4.2) gets
 *     no flow, the rest of the plugin is unchanged;
 *   - every seq_analysis_item_t is allocated by libwireshark
 *     (sequence_analysis_create_sai_with_addresses) and freed by it
 *     (sequence_analysis_list_free: g_free of frame_label, time_str,
 *     comment, free_address of both addresses, info_ptr), so its size is
 *     libwireshark's own; the strings and addresses given to it are
 *     g_malloc'd (wmem NULL scope), as that code frees them;
 *   - the offsets of the fields used here are checked at compile time
 *     (LP64) against the ones each branch's libwireshark uses, read off its
 *     machine code (libwireshark.so.16 4.0.17, .so.18 4.4.19, .so.19
 *     4.6.9, amd64), and at registration and on each item at run time:
 *     should they ever disagree, the flow is not registered, or stops
 *     adding items, instead of writing into the wrong place.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/address.h>
#include <epan/packet.h>
#include <epan/tap.h>
#include <epan/to_str.h>

#include "tcpfsm.h"
#include "tcpfsm-plugin.h"
#include "ws-compat.h"
#include "tcpfsm_lang.h"

#if defined(TCPFSM_FLOW_NO_LAYOUT) /* the path of a branch without one */
#define TCPFSM_FLOW_LAYOUT 0
#elif WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR == 0
#define TCPFSM_FLOW_LAYOUT 40
#elif WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR == 4
#define TCPFSM_FLOW_LAYOUT 44
#elif WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR == 6
#define TCPFSM_FLOW_LAYOUT 46
#else
#define TCPFSM_FLOW_LAYOUT 0 /* no verified layout: no flow */
#endif

#if TCPFSM_FLOW_LAYOUT

/* ---- epan/sequence_analysis.h of this branch (not installed) ---- */

#define TCPFSM_SA_MAX_NUM_NODES 40

#if TCPFSM_FLOW_LAYOUT == 40
typedef gboolean tcpfsm_sa_bool;
#else
typedef bool tcpfsm_sa_bool;
#endif

typedef struct _seq_analysis_item {
    uint32_t frame_number;
    address src_addr;
    uint16_t port_src;
    address dst_addr;
    uint16_t port_dst;
    char *frame_label;       /* the label on top of the arrow */
    char *time_str;          /* timestamp */
    char *comment;           /* a comment that appears at the right of the graph */
    uint16_t conv_num;       /* the conversation number */
    unsigned fg_color;       /* 0xRRGGBB, Qt only */
    unsigned bg_color;       /* 0xRRGGBB, Qt only */
    tcpfsm_sa_bool has_color_filter;
    tcpfsm_sa_bool display;  /* shown in the graph */
    unsigned src_node;
    unsigned dst_node;
    uint16_t line_style;     /* arrow line width in pixels */
    uint32_t info_type;      /* an enum: GA_INFO_TYPE_NONE = 0 */
    void *info_ptr;          /* freed by libwireshark */
#if TCPFSM_FLOW_LAYOUT >= 46
    void (*free_info_ptr)(void *);
#endif
} seq_analysis_item_t;

typedef struct _seq_analysis_info {
    const char *name;
    tcpfsm_sa_bool any_addr; /* DL+net ("standard") vs net-only ("network") */
    int nconv;
    GQueue *items;           /* of seq_analysis_item_t */
    GHashTable *ht;
    address nodes[TCPFSM_SA_MAX_NUM_NODES];
#if TCPFSM_FLOW_LAYOUT >= 44
    uint8_t occurrence[TCPFSM_SA_MAX_NUM_NODES];
#endif
    uint32_t num_nodes;
} seq_analysis_info_t;

WS_DLL_PUBLIC void register_seq_analysis(const char *name, const char *ui_name,
                                         const int proto_id, const char *tap_listener,
                                         unsigned tap_flags, tap_packet_cb tap_func);
WS_DLL_PUBLIC seq_analysis_item_t *
sequence_analysis_create_sai_with_addresses(packet_info *pinfo, seq_analysis_info_t *sainfo);
WS_DLL_PUBLIC void sequence_analysis_use_color_filter(packet_info *pinfo, seq_analysis_item_t *sai);
WS_DLL_PUBLIC seq_analysis_info_t *sequence_analysis_info_new(void);
WS_DLL_PUBLIC void sequence_analysis_info_free(seq_analysis_info_t *sainfo);

/* The offsets each branch's libwireshark uses (amd64, read off its code:
 * the size given to g_malloc0 in sequence_analysis_create_sai_with_addresses
 * and sequence_analysis_info_new, the fields it writes there, the ones
 * sequence_analysis_use_color_filter writes and the item free reads):
 *            item  label time comment fg   bg   colour_filter info_ptr  info  items ht
 *   4.0.17   0x90  0x48  0x50 0x58    0x64 0x68 0x6c (int)    0x88      0x3e8 0x10  0x18
 *   4.4.19   0x88  0x48  0x50 0x58    0x64 0x68 0x6c (byte)   0x80      0x410 0x10  0x18
 *   4.6.9    0x90  0x48  0x50 0x58    0x64 0x68 0x6c (byte)   0x80,     0x410 0x10  0x18
 *                                                             free_info_ptr 0x88
 * dst_addr at 0x28 in all three; any_addr is an int at 0x08 in 4.0, a
 * byte from 4.4. */
#if defined(__x86_64__) || defined(__aarch64__)
G_STATIC_ASSERT(sizeof(address) == 24);
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
G_STATIC_ASSERT(offsetof(seq_analysis_info_t, items) == 0x10);
G_STATIC_ASSERT(offsetof(seq_analysis_info_t, ht) == 0x18);
#if TCPFSM_FLOW_LAYOUT == 40
G_STATIC_ASSERT(sizeof(seq_analysis_item_t) == 0x90);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, display) == 0x70);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, line_style) == 0x7c);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, info_ptr) == 0x88);
G_STATIC_ASSERT(sizeof(seq_analysis_info_t) == 0x3e8);
#else
G_STATIC_ASSERT(sizeof(((seq_analysis_item_t *)0)->has_color_filter) == 1);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, display) == 0x6d);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, line_style) == 0x78);
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, info_ptr) == 0x80);
G_STATIC_ASSERT(sizeof(seq_analysis_info_t) == 0x410);
#if TCPFSM_FLOW_LAYOUT == 44
G_STATIC_ASSERT(sizeof(seq_analysis_item_t) == 0x88);
#else
G_STATIC_ASSERT(offsetof(seq_analysis_item_t, free_info_ptr) == 0x88);
G_STATIC_ASSERT(sizeof(seq_analysis_item_t) == 0x90);
#endif
#endif
#endif

/* ---- the words of an arrow: the engine's ---- */

/* "FIN-ACK Teardown 2/3", "RST Reset", "Data" (g_free it) */
static gchar *flow_label(const tcpfsm_frame_rec *r)
{
    tcpfsm_label l;
    char buf[160];
    tcpfsm_plugin_rec_to_label(r, NULL, &l);
    return g_strdup(tcpfsm_flow_text(&l, TCPFSM_LANG_EN, buf, sizeof buf));
}

/* "client TIME_WAIT, server LAST_ACK · Seq = 6 Ack = 7 · client
 * FIN_WAIT_1 → TIME_WAIT, server CLOSE_WAIT → LAST_ACK [anomaly, ...]":
 * both states after the segment (they fit the GUI's comment column, cut
 * at 20 em), the segment's relative Seq/Ack as Wireshark's TCP flow shows
 * them, the moves when a state changed (an endpoint whose state does not
 * change is named once), the anomalies (g_free it) */
static gchar *flow_comment(const tcpfsm_frame_rec *r)
{
    GString *s = g_string_new(NULL);
    const tcpfsm_role who[2] = {TCPFSM_ROLE_CLIENT, TCPFSM_ROLE_SERVER};
    tcpfsm_state before[2], after[2];
    bool moved = false;
    for (int i = 0; i < 2; i++) {
        bool sender = (tcpfsm_role)r->role == who[i];
        before[i] = (tcpfsm_state)(sender ? r->src_prev : r->dst_prev);
        after[i] = (tcpfsm_state)(sender ? r->src_state : r->dst_state);
        moved = moved || after[i] != before[i];
        g_string_append_printf(s, "%s%s %s", i ? ", " : "", tcpfsm_role_name(who[i]),
                               tcpfsm_state_name(after[i]));
    }
    g_string_append_printf(s, " \xc2\xb7 Seq = %u", r->seq_rel);
    if (r->has_ack_rel)
        g_string_append_printf(s, " Ack = %u", r->ack_rel);
    if (moved) {
        g_string_append(s, " \xc2\xb7 ");
        for (int i = 0; i < 2; i++) {
            g_string_append_printf(s, "%s%s %s", i ? ", " : "", tcpfsm_role_name(who[i]),
                                   tcpfsm_state_name(before[i]));
            if (after[i] != before[i])
                g_string_append_printf(s, " \xe2\x86\x92 %s", tcpfsm_state_name(after[i]));
        }
    }
    if (r->anomalies) {
        char an[256];
        tcpfsm_anomalies_str(r->anomalies, an, sizeof an);
        g_string_append_printf(s, " [%s]", an);
    }
    return g_string_free(s, FALSE);
}

/* Replace a node address libwireshark copied from the packet (g_malloc'd,
 * or none) by the text "addr:port" ("[v6]:port") of the endpoint the
 * engine labelled, so that each endpoint of a connection is its own
 * lifeline, named as tcpfsm summary names it.  The endpoint comes from the
 * connection, not from pinfo: when the TCP payload carries an IP packet
 * (OpenFlow, tunnels over TCP), pinfo holds the inner packet's addresses
 * and ports, not the segment's. */
static void flow_node(address *a, const tcpfsm_addr *ta, uint16_t port)
{
    char node[80]; /* "[" IPv6 text (at most 45) "]:" port */
    tcpfsm_endpoint_str(ta, port, node, sizeof node);
    free_address(a);
    alloc_address_wmem(NULL, a, AT_STRINGZ, (int)strlen(node) + 1, node);
}

/* ---- the tap ---- */

static bool layout_ok = true;

static tap_packet_status flow_packet(void *tapdata, packet_info *pinfo,
                                     epan_dissect_t *edt _U_, const void *data,
                                     tap_flags_t flags _U_)
{
    seq_analysis_info_t *sainfo = (seq_analysis_info_t *)tapdata;
    const tcpfsm_frame_rec *r = (const tcpfsm_frame_rec *)data;

    if (!r || !layout_ok)
        return TAP_PACKET_DONT_REDRAW;
    /* a labelled frame always has its connection */
    const tcpfsm_conn_rec *c = tcpfsm_plugin_conn(r->conn_id);
    if (!c)
        return TAP_PACKET_DONT_REDRAW;
    seq_analysis_item_t *sai = sequence_analysis_create_sai_with_addresses(pinfo, sainfo);
    if (!sai)
        return TAP_PACKET_DONT_REDRAW;
    /* libwireshark filled the addresses and time_str: they must be where
     * this file expects them */
    const address *want = sainfo->any_addr ? &pinfo->net_src : &pinfo->src;
    const address *want_dst = sainfo->any_addr ? &pinfo->net_dst : &pinfo->dst;
    if (!sai->time_str || !addresses_equal(&sai->src_addr, want) ||
        !addresses_equal(&sai->dst_addr, want_dst) || sai->frame_label || sai->comment ||
        sai->info_ptr || sai->port_src || sai->port_dst) {
        layout_ok = false; /* leaks this one item rather than guess */
        ws_warning("tcpfsm: this Wireshark's Flow Graph items are not laid out as in "
                   "the %d.%d headers; the tcpfsm flow is off",
                   WIRESHARK_VERSION_MAJOR, WIRESHARK_VERSION_MINOR);
        return TAP_PACKET_DONT_REDRAW;
    }

    bool from_client = r->role == TCPFSM_ROLE_CLIENT;
    const tcpfsm_summary *sum = &c->sum;
    sai->frame_number = pinfo->num;
    sai->port_src = from_client ? sum->client_port : sum->server_port;
    sai->port_dst = from_client ? sum->server_port : sum->client_port;
    flow_node(&sai->src_addr, from_client ? &sum->client_addr : &sum->server_addr,
              sai->port_src);
    flow_node(&sai->dst_addr, from_client ? &sum->server_addr : &sum->client_addr,
              sai->port_dst);
    sai->frame_label = flow_label(r);
    sai->comment = flow_comment(r);
    /* one colour per connection in the GUI: Wireshark's TCP stream number
     * when known, as the "tcp" flow does */
    sai->conv_num = (uint16_t)(c->sum.stream >= 0 ? (uint64_t)c->sum.stream
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
     * table must be where this file reads them, the rest zero. */
    seq_analysis_info_t *probe = sequence_analysis_info_new();
    bool ok = probe && probe->items && probe->ht && !probe->name && !probe->any_addr &&
              probe->nconv == 0 && probe->num_nodes == 0 &&
              g_queue_get_length(probe->items) == 0 && g_hash_table_size(probe->ht) == 0;
    if (probe)
        sequence_analysis_info_free(probe);
    if (!ok) {
        ws_warning("tcpfsm: this Wireshark's Flow Graph is not laid out as in the %d.%d "
                   "headers; no tcpfsm flow",
                   WIRESHARK_VERSION_MAJOR, WIRESHARK_VERSION_MINOR);
        return;
    }
    register_seq_analysis("tcpfsm", "TCP State Machine", proto, TCPFSM_TAP_NAME,
                          TL_REQUIRES_NOTHING, flow_packet);
}

#else /* no verified layout of epan/sequence_analysis.h for this branch */

void tcpfsm_flow_register(int proto _U_)
{
    ws_info("tcpfsm: no Flow Graph flow on Wireshark %d.%d (no verified layout of its "
            "sequence analysis); the rest of the plugin works",
            WIRESHARK_VERSION_MAJOR, WIRESHARK_VERSION_MINOR);
}

#endif
