/* tcpfsm-plugin.h - state shared by the dissector and the statistics of
 * the Wireshark plugin.  No TCP rule lives in the plugin: the engine
 * (../engine) labels the segments; the plugin reads fields, stores what
 * the engine said and shows it.
 */
#ifndef TCPFSM_PLUGIN_H
#define TCPFSM_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpfsm.h"

/* What the engine said about one frame, packed (24 bytes): the plugin
 * keeps one per labelled frame for the life of the capture file, in an
 * array indexed by frame number, and shows it again on every later
 * dissection.  The sentence (tcpfsm.label) is kept apart, compactly
 * (its numbers as varints, the rest as a skeleton shared by every
 * sentence of that shape; packet-tcpfsm.c), followed there by the two
 * numbers of the check when the step checks an acknowledgement (its
 * text, tcpfsm_check_detail(), is made when shown).  The enums fit their
 * bit widths (checked at compile time in packet-tcpfsm.c). */
typedef struct tcpfsm_frame_rec {
    uint32_t conn_id;   /* the engine's connection number (from 1) */
    uint32_t ref_frame; /* 0 = none */
    uint32_t seq_rel, ack_rel;
    uint16_t anomalies; /* TCPFSM_AN() bits */
    uint8_t step_num : 3, step_of : 3, check : 2; /* steps are 1..4 */
    uint8_t title : 3, flow : 4;                  /* tcpfsm_title, _flow_word */
    /* in the same byte: the segment is two steps at once, step_num and
     * step_num + 1 (the merged close's 2+3/4; no row makes it more) */
    uint8_t step_more : 1;
    unsigned event : 4, phase : 3, close : 3, role : 2;
    unsigned src_prev : 4, src_state : 4, dst_prev : 4, dst_state : 4;
    signed ack_ok : 2; /* -1 no check, 0 wrong, 1 right */
    unsigned has_ack_rel : 1;
    unsigned present : 1; /* the frame was labelled */
} tcpfsm_frame_rec;

/* One connection as last known: the engine's snapshot of it, taken when
 * asked for (and at most once per segment the engine reads), replaced by
 * the engine's own summary when the engine releases it. */
typedef struct tcpfsm_conn_rec {
    uint64_t conn_id;
    tcpfsm_summary sum;
    bool released;
    uint64_t snapshot_at; /* frames fed to the engine when sum was taken */
} tcpfsm_conn_rec;

/* The connection record, up to date with every segment the engine has
 * read so far (NULL when unknown, or no capture is open).  On the first
 * pass that is "what is known at this frame"; once the whole capture has
 * been read, the final summary.  The record may be a scratch copy: use it
 * before the next call. */
const tcpfsm_conn_rec *tcpfsm_plugin_conn(uint64_t conn_id);

/* Every connection of the capture in the order `tcpfsm summary` prints
 * them: first those the engine released while reading (in release
 * order), then the ones still open at the end, in the order they began.
 * The callback returns false to stop. */
typedef bool (*tcpfsm_conn_visit_fn)(const tcpfsm_conn_rec *c, void *user);
void tcpfsm_plugin_foreach_conn(tcpfsm_conn_visit_fn fn, void *user);

/* Rebuild a full tcpfsm_label (for the engine's field formatters); the
 * sentence is label_text (NULL: empty). */
void tcpfsm_plugin_rec_to_label(const tcpfsm_frame_rec *r, const char *label_text,
                                tcpfsm_label *out);

/* The tap the dissector feeds: one tcpfsm_frame_rec per labelled frame. */
#define TCPFSM_TAP_NAME "tcpfsm"

/* tcpfsm-stats.c */
void tcpfsm_stats_register(void);
/* the connections table's headings in this language (when the label
 * language preference changes) */
void tcpfsm_stats_set_lang(tcpfsm_lang lang);

/* tcpfsm-flow.c: the "tcpfsm" flow of Statistics > Flow Graph and
 * `tshark -z flow,tcpfsm,standard` (called once proto is registered) */
void tcpfsm_flow_register(int proto);

#endif
