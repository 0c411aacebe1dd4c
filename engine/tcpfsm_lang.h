/* tcpfsm_lang.h - the language of the human text (the `label` sentence,
 * and what the tool draws from it).  Only words change: field names,
 * tokens (events, states, anomalies...) and numbers are the same in every
 * language.  Set the language of labels with tcpfsm_config.lang.
 */
#ifndef TCPFSM_LANG_H
#define TCPFSM_LANG_H

#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>

#include "tcpfsm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "en" or "zh" (case-insensitive; "zh_CN", "zh-CN", "zh_CN.UTF-8" and
 * "en_US..." are accepted too); false for anything else. */
TCPFSM_API bool tcpfsm_lang_parse(const char *name, tcpfsm_lang *out);
/* "en", "zh" */
TCPFSM_API const char *tcpfsm_lang_name(tcpfsm_lang lang);

/* A state as the label names it: "SYN_SENT" in English, the RFC name
 * followed by its usual gloss in Chinese: "SYN_SENT（同步已发送）". */
TCPFSM_API const char *tcpfsm_state_text(tcpfsm_state s, tcpfsm_lang lang);
/* The gloss alone: "" in English, "同步已发送" in Chinese. */
TCPFSM_API const char *tcpfsm_state_gloss(tcpfsm_state s, tcpfsm_lang lang);
/* "client", "server", "both" / 客户端, 服务器, 双方; NONE -> "". */
TCPFSM_API const char *tcpfsm_role_text(tcpfsm_role r, tcpfsm_lang lang);

/* The title of the step a label reports, as its sentence names it:
 * "Handshake 2/3", "Teardown 1/4", "Simultaneous close 3/4", "Refused",
 * "Reset" / 第二次握手, 第一次挥手, 第二、三次挥手合并, 同时关闭 3/4,
 * 连接被拒绝, 连接重置; "" for a segment that is no step (data, ACK...).
 * Returns buf. */
TCPFSM_API char *tcpfsm_step_title(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                        size_t size);

/* ---- what adapters show: every word comes from here ---- */

/* "Handshake 2/3: SYN-ACK", "Teardown 1/4: first FIN", "Reset: RST",
 * "Data": the step title and what the segment is (the plugin's Info
 * column and tree); in Chinese the title alone (第二次握手). */
TCPFSM_API char *tcpfsm_step_heading(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                          size_t size);
/* What a segment is ("first FIN", "ACK of the second FIN"); "" when the
 * language has no such word (Chinese names steps by their titles). */
TCPFSM_API const char *tcpfsm_event_text(tcpfsm_event e, tcpfsm_lang lang);
/* "SYN", "SYN-ACK", "FIN-ACK", "Data", ... */
TCPFSM_API const char *tcpfsm_flow_word_text(tcpfsm_flow_word w);
/* A sequence diagram's arrow: "FIN-ACK Teardown 2/3", "RST Reset", "Data". */
TCPFSM_API char *tcpfsm_flow_text(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                       size_t size);
/* The check of the step: "ack = ISN + 1 ✓", "ack ≠ FIN seq + 1 ✗", ""
 * where none applies. */
TCPFSM_API char *tcpfsm_check_text(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                        size_t size);
/* The same with its numbers, as the sentence says it: "ack 2882443212 =
 * client ISN 2882443211 + 1 ✓", "ack 7 ≠ FIN seq 7 + 1 ✗". */
TCPFSM_API char *tcpfsm_check_detail(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                          size_t size);
/* What the summary tokens mean: "three-way handshake", "merged close,
 * three segments" / 三次握手完成, 三次挥手：第二、三次合并 */
TCPFSM_API const char *tcpfsm_handshake_text(tcpfsm_handshake h, tcpfsm_lang lang);
TCPFSM_API const char *tcpfsm_close_text(tcpfsm_close c, tcpfsm_lang lang);

/* The adapters' other words (layouts of the ladder and the plugin's
 * tree), X(ID, "English", "中文"); formats keep their conversions in
 * every language. */
#define TCPFSM_WORDS(X)                                                     \
    /* the ladder (tool/ladder.c) */                                        \
    X(STREAM, "Stream %" PRId64, "流 %" PRId64)                             \
    X(CONNECTION, "Connection %" PRId64, "连接 %" PRId64)                   \
    X(HEADER, "%s: %s %s, %s %s", "%s：%s %s，%s %s")                       \
    X(FRAME, "frame", "帧")                                                 \
    X(TIME, "time", "时间")                                                 \
    X(FOLD, "… %s …", "… %s …")                                             \
    X(DATA_ONE, "%s data segment (%s bytes)", "%s 个数据段（%s 字节）")        \
    X(DATA_MANY, "%s data segments (%s bytes)", "%s 个数据段（%s 字节）")      \
    X(ACK_ONE, "%s ACK", "%s 个 ACK")                                       \
    X(ACK_MANY, "%s ACKs", "%s 个 ACK")                                     \
    X(FOLD_SEP, ", ", "，")                                                 \
    X(SUMMARY1, "Summary: handshake %s (%s); close %s (%s); active closer: %s", \
      "小结：握手 %s（%s）；关闭 %s（%s）；主动关闭方：%s")                        \
    X(SUMMARY2, "Final states: %s %s, %s %s", "最终状态：%s %s，%s %s")       \
    X(ANOMALIES, "; anomalies: %s", "；异常：%s")                           \
    X(NONE, "none", "无")                                                   \
    X(NO_FLAGS, "no flags", "无标志")                                       \
    /* the plugin's tree: an endpoint's move */                             \
    X(STAYS, "%s (stays)", "%s（不变）")                                     \
    X(ENDPOINT_MOVE, "%s: %s (%s)", "%s：%s（%s）")                          \
    X(SENDER, "sender", "发送方")                                           \
    X(RECEIVER, "receiver", "接收方")                                       \
    /* the diagram (tool/diagram.c) */                                      \
    X(DIAG_TITLE, "RFC 9293 state diagram (Figure 5): the path each endpoint took", \
      "RFC 9293 状态图（图 5）：每一端走过的路径")                              \
    X(DIAG_PATH, "%s: %s", "%s：%s")                                        \
    X(DIAG_ENDPOINTS, "%s %s, %s %s", "%s %s，%s %s")                       \
    X(DIAG_IN_FACT, "; in fact %s", "；实为 %s")                             \
    X(DIAG_EDGES, "Edges of the figure (who took each, at which frame):",   \
      "图中的每条边（谁走过、在哪一帧）：")                                    \
    X(DIAG_EXTRA, "Moves the figure has no edge for (RFC 9293 describes them in its text):", \
      "图中没有的迁移（RFC 9293 正文描述）：")                                 \
    X(DIAG_FRAME, "frame %s", "帧 %s")                                      \
    X(DIAG_FRAMES, "frames %s", "帧 %s")                                    \
    X(DIAG_NOT_TAKEN, "not taken", "未经过")                                 \
    X(DIAG_LEGEND_GREY, "grey: never taken", "灰色：未经过")                  \
    X(DIAG_LEGEND_EXTRA, "dashed: a move the figure has no edge for (a reset, a merged close)", \
      "虚线：图中没有的边（复位、合并挥手）")                                   \
    X(DIAG_START, "start", "起点")                                          \
    X(DIAG_END, "end", "终点")                                              \
    /* RFC 9293 Figure 5's "event / action" texts (tcpfsm_rfc_edges) */     \
    X(EDGE_PASSIVE_OPEN, "passive OPEN / create TCB", "被动打开 / 创建 TCB")  \
    X(EDGE_ACTIVE_OPEN, "active OPEN / create TCB, snd SYN",                \
      "主动打开 / 创建 TCB，发 SYN")                                          \
    X(EDGE_CLOSE_DELETE, "CLOSE / delete TCB", "关闭 / 删除 TCB")            \
    X(EDGE_RCV_SYN, "rcv SYN / snd SYN,ACK", "收到 SYN / 发 SYN,ACK")         \
    X(EDGE_SEND_SYN, "SEND / snd SYN", "发送 / 发 SYN")                       \
    X(EDGE_RCV_SYN_ACK, "rcv SYN,ACK / snd ACK", "收到 SYN,ACK / 发 ACK")     \
    X(EDGE_RCV_ACK_OF_SYN, "rcv ACK of SYN / x", "收到 SYN 的 ACK")           \
    X(EDGE_CLOSE_FIN, "CLOSE / snd FIN", "关闭 / 发 FIN")                     \
    X(EDGE_RCV_FIN, "rcv FIN / snd ACK", "收到 FIN / 发 ACK")                 \
    X(EDGE_RCV_ACK_OF_FIN, "rcv ACK of FIN / x", "收到 FIN 的 ACK")           \
    X(EDGE_TIMEOUT, "Timeout=2MSL / delete TCB", "超时 2MSL / 删除 TCB")      \
    X(EDGE_RCV_FIN_ACK_OF_FIN, "rcv FIN + ACK of FIN / snd ACK (3.10.7.4)",  \
      "收到 FIN 及其对本端 FIN 的 ACK / 发 ACK（3.10.7.4）")                     \
    X(EDGE_RCV_RST, "rcv RST (3.10.7.4)", "收到 RST（3.10.7.4）") \
    /* the plugin's tree: item words */                                     \
    X(REF_FRAME, "Related frame", "相关帧")                                 \
    X(SECONDS, "seconds", "秒")                                             \
    X(CORRECT, "correct", "正确")                                           \
    X(WRONG, "WRONG", "错误")

enum tcpfsm_word {
#define TCPFSM_X_WORD(id, en, zh) TCPFSM_W_##id,
    TCPFSM_WORDS(TCPFSM_X_WORD)
#undef TCPFSM_X_WORD
    TCPFSM_W_COUNT
};

/* Word or format `id` (enum tcpfsm_word) in `lang`. */
TCPFSM_API const char *tcpfsm_word(tcpfsm_lang lang, int id);

/* ---- RFC 9293's state diagram (its Figure 5), as data ---- */

typedef struct tcpfsm_rfc_edge {
    tcpfsm_state from, to;
    int event;      /* enum tcpfsm_word: the figure's "event / action" */
    bool in_figure; /* false: a move RFC 9293 describes in its text
                       (3.10.7.4), not in the figure */
} tcpfsm_rfc_edge;

/* The figure's edges (in_figure, the first *n_figure of them, in the
 * figure's order), then the moves of the RFC's text the diagram names;
 * *count of them in all.  Either pointer may be NULL. */
TCPFSM_API const tcpfsm_rfc_edge *tcpfsm_rfc_edges(size_t *count, size_t *n_figure);
/* The edge prev -> next (figure or text), or NULL. */
TCPFSM_API const tcpfsm_rfc_edge *tcpfsm_rfc_edge_find(tcpfsm_state prev, tcpfsm_state next);
/* Whether prev -> next is an edge of the figure. */
TCPFSM_API bool tcpfsm_rfc_is_edge(tcpfsm_state prev, tcpfsm_state next);

/* ---- flag names ---- */

enum tcpfsm_flags_style {
    TCPFSM_FLAGS_WIRESHARK, /* "SYN-ACK", "FIN-PSH-ACK": bit order, all nine */
    TCPFSM_FLAGS_SENTENCE,  /* "SYN+FIN": SYN, FIN, RST, PSH, ACK, URG */
};
/* A segment's flags in `style` (enum tcpfsm_flags_style) into buf;
 * returns the length written, 0 when no flag is set (buf then holds ""
 * or a truncated name: the caller writes its "no flags" word). */
TCPFSM_API size_t tcpfsm_flags_text(uint16_t flags, int style, char *buf, size_t size);

/* ---- the words of the plugin's tree and tables ---- */

/* The title a tree item or a table column shows for a field: "Event",
 * "Client state" / 事件, 客户端状态 (a field without one: its name). */
TCPFSM_API const char *tcpfsm_label_field_title(int f, tcpfsm_lang lang);
TCPFSM_API const char *tcpfsm_summary_field_title(int f, tcpfsm_lang lang);

/* The tree's first line for a segment, from its step title and its
 * sender: "TCP State Machine, Handshake 2/3: SYN-ACK (server → client)".
 * Returns buf. */
TCPFSM_API char *tcpfsm_tree_heading(const char *title, tcpfsm_role sender, tcpfsm_lang lang,
                          char *buf, size_t size);
/* The connection's line: "Connection: handshake complete, close fin4 by
 * client, client TIME_WAIT, server CLOSED" (" (so far)" after
 * "Connection" when so_far).  Returns buf. */
TCPFSM_API char *tcpfsm_conn_heading(const tcpfsm_summary *s, bool so_far, tcpfsm_lang lang,
                          char *buf, size_t size);

/* A label sentence as its clauses, for a display that shows at most max
 * bytes a line (Wireshark's tree: 240): the length of the clause that
 * starts at s (at most max bytes, never inside a UTF-8 character), and in
 * *skip the separator's length after it.  The next clause starts at
 * s + length + *skip.  Clauses end at " — " (the moves) and "; " / "；"
 * (notes); one still too long ends after its last comma that fits. */
TCPFSM_API size_t tcpfsm_label_clause(const char *s, size_t max, size_t *skip);

#ifdef __cplusplus
}
#endif
#endif
