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
    X(RECEIVER, "receiver", "接收方")

enum tcpfsm_word {
#define TCPFSM_X_WORD(id, en, zh) TCPFSM_W_##id,
    TCPFSM_WORDS(TCPFSM_X_WORD)
#undef TCPFSM_X_WORD
    TCPFSM_W_COUNT
};

/* Word or format `id` (enum tcpfsm_word) in `lang`. */
TCPFSM_API const char *tcpfsm_word(tcpfsm_lang lang, int id);

#ifdef __cplusplus
}
#endif
#endif
