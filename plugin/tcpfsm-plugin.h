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

/* What the engine said about one frame, kept for the life of the capture
 * file (wmem_file_scope) and shown again on every later dissection. */
typedef struct tcpfsm_frame_rec {
    uint64_t conn_id;
    uint64_t ref_frame;
    uint32_t seq_rel, ack_rel;
    uint32_t anomalies;
    uint8_t event, phase, step_num, step_of, close, role;
    uint8_t src_prev, src_state, dst_prev, dst_state;
    int8_t ack_ok;
    bool has_ack_rel;
    const char *label; /* wmem_file_scope */
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
 * been read, the final summary. */
const tcpfsm_conn_rec *tcpfsm_plugin_conn(uint64_t conn_id);

/* Every connection of the capture in the order `tcpfsm summary` prints
 * them: first those the engine released while reading (in release
 * order), then the ones still open at the end, in the order they began.
 * The callback returns false to stop. */
typedef bool (*tcpfsm_conn_visit_fn)(const tcpfsm_conn_rec *c, void *user);
void tcpfsm_plugin_foreach_conn(tcpfsm_conn_visit_fn fn, void *user);

/* Rebuild a full tcpfsm_label (for the engine's field formatters). */
void tcpfsm_plugin_rec_to_label(const tcpfsm_frame_rec *r, tcpfsm_label *out);

/* The tap the dissector feeds: one tcpfsm_frame_rec per labelled frame. */
#define TCPFSM_TAP_NAME "tcpfsm"

/* tcpfsm-stats.c */
void tcpfsm_stats_register(void);

/* tcpfsm-flow.c: the "tcpfsm" flow of Statistics > Flow Graph and
 * `tshark -z flow,tcpfsm,standard` (called once proto is registered) */
void tcpfsm_flow_register(int proto);

#endif
