/* tcpfsm_lang.h - the language of the human text (the `label` sentence,
 * and what the tool draws from it).  Only words change: field names,
 * tokens (events, states, anomalies...) and numbers are the same in every
 * language.  Set the language of labels with tcpfsm_config.lang.
 */
#ifndef TCPFSM_LANG_H
#define TCPFSM_LANG_H

#include <stdbool.h>
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

#ifdef __cplusplus
}
#endif
#endif
