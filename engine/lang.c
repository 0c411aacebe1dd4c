/* lang.c - the words of the labels in each language: the message table
 * (messages.h), step titles, state glosses and role words.  Data, not
 * logic: the engine picks a message id, this file gives its format. */
#include "tcpfsm.h"
#include "tcpfsm_lang.h"
#include "messages.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- the sentences ---- */

static const char *const msg_table[TCPFSM_LANG_MAX][TCPFSM_M_COUNT] = {
    [TCPFSM_LANG_EN] = {
#define TCPFSM_X_MSG_EN(id, en, zh) [TCPFSM_M_##id] = en,
        TCPFSM_MESSAGES(TCPFSM_X_MSG_EN)
#undef TCPFSM_X_MSG_EN
    },
    [TCPFSM_LANG_ZH] = {
#define TCPFSM_X_MSG_ZH(id, en, zh) [TCPFSM_M_##id] = zh,
        TCPFSM_MESSAGES(TCPFSM_X_MSG_ZH)
#undef TCPFSM_X_MSG_ZH
    },
};

static tcpfsm_lang lang_ok(int lang)
{
    return lang > 0 && lang < TCPFSM_LANG_MAX ? (tcpfsm_lang)lang
                                              : TCPFSM_LANG_EN;
}

const char *tcpfsm_lang_msg(int lang, int id)
{
    if (id < 0 || id >= TCPFSM_M_COUNT)
        return "";
    return msg_table[lang_ok(lang)][id];
}

/* ---- languages ---- */

static const char *const lang_names[TCPFSM_LANG_MAX] = {
    [TCPFSM_LANG_EN] = "en",
    [TCPFSM_LANG_ZH] = "zh",
};

bool tcpfsm_lang_parse(const char *name, tcpfsm_lang *out)
{
    if (!name)
        return false;
    for (int l = 0; l < TCPFSM_LANG_MAX; l++) {
        size_t n = strlen(lang_names[l]);
        /* "zh", or a locale name that starts with it: zh_CN, zh-CN.UTF-8 */
        if (strncasecmp(name, lang_names[l], n) == 0 &&
            (name[n] == '\0' || name[n] == '_' || name[n] == '-' ||
             name[n] == '.')) {
            *out = (tcpfsm_lang)l;
            return true;
        }
    }
    return false;
}

const char *tcpfsm_lang_name(tcpfsm_lang lang)
{
    return lang_names[lang_ok(lang)];
}

/* ---- states and roles ---- */

/* The glosses of Chinese textbooks (谢希仁《计算机网络》 and others),
 * by RFC 9293 name. */
#define ZH_STATE_GLOSSES(X)          \
    X(UNKNOWN, "未知")               \
    X(CLOSED, "关闭")                \
    X(LISTEN, "监听")                \
    X(SYN_SENT, "同步已发送")        \
    X(SYN_RECEIVED, "同步已接收")    \
    X(ESTABLISHED, "已建立连接")     \
    X(FIN_WAIT_1, "终止等待1")       \
    X(FIN_WAIT_2, "终止等待2")       \
    X(CLOSE_WAIT, "关闭等待")        \
    X(CLOSING, "同时关闭")           \
    X(LAST_ACK, "最后确认")          \
    X(TIME_WAIT, "时间等待")

static const char *const state_gloss_zh[TCPFSM_STATE_MAX] = {
#define ZH_GLOSS(id, gloss) [TCPFSM_##id] = gloss,
    ZH_STATE_GLOSSES(ZH_GLOSS)
#undef ZH_GLOSS
};

/* "SYN_SENT（同步已发送）" */
static const char *const state_text_zh[TCPFSM_STATE_MAX] = {
#define ZH_TEXT(id, gloss) [TCPFSM_##id] = #id "（" gloss "）",
    ZH_STATE_GLOSSES(ZH_TEXT)
#undef ZH_TEXT
};

const char *tcpfsm_state_text(tcpfsm_state s, tcpfsm_lang lang)
{
    if ((unsigned)s >= TCPFSM_STATE_MAX)
        return "?";
    if (lang_ok(lang) == TCPFSM_LANG_ZH)
        return state_text_zh[s];
    return tcpfsm_state_name(s);
}

const char *tcpfsm_state_gloss(tcpfsm_state s, tcpfsm_lang lang)
{
    if ((unsigned)s >= TCPFSM_STATE_MAX || lang_ok(lang) != TCPFSM_LANG_ZH)
        return "";
    return state_gloss_zh[s];
}

static const char *const role_text[TCPFSM_LANG_MAX][TCPFSM_ROLE_MAX] = {
    [TCPFSM_LANG_EN] = {"", "client", "server", "both"},
    [TCPFSM_LANG_ZH] = {"", "客户端", "服务器", "双方"},
};

const char *tcpfsm_role_text(tcpfsm_role r, tcpfsm_lang lang)
{
    if ((unsigned)r >= TCPFSM_ROLE_MAX)
        return "";
    return role_text[lang_ok(lang)][r];
}

/* ---- step titles ---- */

/* English: one format per kind, the words labels have always used. */
static const char *const title_en[TCPFSM_T_COUNT] = {
    [TCPFSM_T_HANDSHAKE] = "Handshake %s",
    [TCPFSM_T_SIM_OPEN] = "Simultaneous open %s",
    [TCPFSM_T_TEARDOWN] = "Teardown %s",
    [TCPFSM_T_SIM_CLOSE] = "Simultaneous close %s",
    [TCPFSM_T_REFUSED] = "Refused",
    [TCPFSM_T_RESET] = "Reset",
};

/* Chinese: the textbook's ordinals where the step is one of the classic
 * three handshake or four teardown segments (第一次握手 ... 第四次挥手).
 * In the merged close (three segments: steps 1/4, 2+3/4, 4/4) the
 * passive closer's FIN+ACK is the second and third 挥手 in one segment.
 * Other sequences keep their numbers. */
static const struct {
    int kind;
    unsigned num, last, of;
    const char *title;
} title_zh_named[] = {
    {TCPFSM_T_HANDSHAKE, 1, 1, 3, "第一次握手"},
    {TCPFSM_T_HANDSHAKE, 2, 2, 3, "第二次握手"},
    {TCPFSM_T_HANDSHAKE, 3, 3, 3, "第三次握手"},
    {TCPFSM_T_TEARDOWN, 1, 1, 4, "第一次挥手"},
    {TCPFSM_T_TEARDOWN, 2, 2, 4, "第二次挥手"},
    {TCPFSM_T_TEARDOWN, 3, 3, 4, "第三次挥手"},
    {TCPFSM_T_TEARDOWN, 4, 4, 4, "第四次挥手"},
    {TCPFSM_T_TEARDOWN, 2, 3, 4, "第二、三次挥手合并"},
};

static const char *const title_zh[TCPFSM_T_COUNT] = {
    [TCPFSM_T_HANDSHAKE] = "握手 %s",
    [TCPFSM_T_SIM_OPEN] = "同时打开 %s",
    [TCPFSM_T_TEARDOWN] = "挥手 %s",
    [TCPFSM_T_SIM_CLOSE] = "同时关闭 %s",
    [TCPFSM_T_REFUSED] = "连接被拒绝",
    [TCPFSM_T_RESET] = "连接重置",
};

char *tcpfsm_lang_title(int lang, int kind, unsigned num, unsigned last,
                        unsigned of, char *buf, size_t size)
{
    if (last < num)
        last = num;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (kind <= TCPFSM_T_NONE || kind >= TCPFSM_T_COUNT)
        return buf;
    if (kind == TCPFSM_T_REFUSED || kind == TCPFSM_T_RESET) {
        /* a whole connection's end: no step numbers */
        snprintf(buf, size, "%s",
                 (lang_ok(lang) == TCPFSM_LANG_ZH ? title_zh : title_en)[kind]);
        return buf;
    }
    if (lang_ok(lang) == TCPFSM_LANG_ZH) {
        /* a handshake step of a simultaneous open (4 steps) is one */
        if (kind == TCPFSM_T_HANDSHAKE && of == 4)
            kind = TCPFSM_T_SIM_OPEN;
        for (size_t i = 0; i < sizeof title_zh_named / sizeof title_zh_named[0];
             i++) {
            if (title_zh_named[i].kind == kind && title_zh_named[i].num == num &&
                title_zh_named[i].last == last && title_zh_named[i].of == of) {
                snprintf(buf, size, "%s", title_zh_named[i].title);
                return buf;
            }
        }
        char steps[32];
        snprintf(buf, size, title_zh[kind], tcpfsm_step_nums(num, last, of, steps, sizeof steps));
        return buf;
    }
    if (num < 10 && of < 10 && last == num) {
        /* every real step: "Handshake 2/3" without printf (a label per
         * segment asks for one) */
        static const char *const word_en[TCPFSM_T_COUNT] = {
            [TCPFSM_T_HANDSHAKE] = "Handshake ",
            [TCPFSM_T_SIM_OPEN] = "Simultaneous open ",
            [TCPFSM_T_TEARDOWN] = "Teardown ",
            [TCPFSM_T_SIM_CLOSE] = "Simultaneous close ",
        };
        size_t n = strlen(word_en[kind]);
        if (n + 4 <= size) {
            memcpy(buf, word_en[kind], n);
            buf[n] = (char)('0' + num);
            buf[n + 1] = '/';
            buf[n + 2] = (char)('0' + of);
            buf[n + 3] = '\0';
            return buf;
        }
    }
    char steps[32];
    snprintf(buf, size, title_en[kind], tcpfsm_step_nums(num, last, of, steps, sizeof steps));
    return buf;
}

char *tcpfsm_step_title(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                        size_t size)
{
    return tcpfsm_lang_title(lang, l->title, l->step_num, l->step_last, l->step_of,
                             buf, size);
}

/* ---- what adapters show ---- */

/* What a segment is, after its title in a heading (English; Chinese
 * headings are the title alone, as the textbooks name the steps). */
static const char *const event_words[TCPFSM_LANG_MAX][TCPFSM_EV_MAX] = {
    [TCPFSM_LANG_EN] = {
        [TCPFSM_EV_NONE] = "?",
        [TCPFSM_EV_SYN] = "SYN",
        [TCPFSM_EV_SYN_ACK] = "SYN-ACK",
        [TCPFSM_EV_HS_ACK] = "ACK",
        [TCPFSM_EV_DATA] = "Data",
        [TCPFSM_EV_ACK] = "ACK",
        [TCPFSM_EV_FIN1] = "first FIN",
        [TCPFSM_EV_FIN1_ACK] = "ACK of the first FIN",
        [TCPFSM_EV_FIN2] = "second FIN",
        [TCPFSM_EV_FIN2_ACK] = "ACK of the second FIN",
        [TCPFSM_EV_RST] = "RST",
        [TCPFSM_EV_OTHER] = "Other segment",
    },
    /* only what has no title: a step's heading is its title (第一次挥手) */
    [TCPFSM_LANG_ZH] = {
        [TCPFSM_EV_DATA] = "数据",
        [TCPFSM_EV_ACK] = "ACK",
        [TCPFSM_EV_OTHER] = "其他报文段",
    },
};

const char *tcpfsm_event_text(tcpfsm_event e, tcpfsm_lang lang)
{
    if ((unsigned)e >= TCPFSM_EV_MAX)
        return "";
    const char *w = event_words[lang_ok(lang)][e];
    return w ? w : "";
}

char *tcpfsm_step_heading(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                          size_t size)
{
    char title[96];
    tcpfsm_step_title(l, lang, title, sizeof title);
    const char *words = tcpfsm_event_text(l->event, lang);
    if (size == 0)
        return buf;
    if (*title && *words)
        snprintf(buf, size, "%s: %s", title, words);
    else
        snprintf(buf, size, "%s", *title ? title : words);
    return buf;
}

static const char *const flow_words[TCPFSM_FW_COUNT] = {
    [TCPFSM_FW_NONE] = "?",
    [TCPFSM_FW_SYN] = "SYN",
    [TCPFSM_FW_SYN_ACK] = "SYN-ACK",
    [TCPFSM_FW_ACK] = "ACK",
    [TCPFSM_FW_DATA] = "Data",
    [TCPFSM_FW_FIN] = "FIN",
    [TCPFSM_FW_FIN_ACK] = "FIN-ACK",
    [TCPFSM_FW_RST] = "RST",
    [TCPFSM_FW_OTHER] = "Other",
};

const char *tcpfsm_flow_word_text(tcpfsm_flow_word w)
{
    return (unsigned)w < TCPFSM_FW_COUNT ? flow_words[w] : "?";
}

char *tcpfsm_flow_text(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                       size_t size)
{
    char title[96];
    tcpfsm_step_title(l, lang, title, sizeof title);
    const char *word = tcpfsm_flow_word_text((tcpfsm_flow_word)l->flow);
    if (size == 0)
        return buf;
    if (*title)
        snprintf(buf, size, "%s %s", word, title);
    else
        snprintf(buf, size, "%s", word);
    return buf;
}

/* The acknowledgement checked, in the words of the sentences: protocol
 * words, the same in every language but for the role. */
static const char *const check_what[TCPFSM_CHECK_COUNT] = {
    [TCPFSM_CHECK_NONE] = "",
    [TCPFSM_CHECK_ISN] = "ISN",
    [TCPFSM_CHECK_FIN] = "FIN seq",
    [TCPFSM_CHECK_TFO] = "ISN + SYN data",
};

char *tcpfsm_check_text(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                        size_t size)
{
    (void)lang;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (l->ack_ok < 0 || l->check == TCPFSM_CHECK_NONE ||
        l->check >= TCPFSM_CHECK_COUNT)
        return buf;
    snprintf(buf, size, "ack %s %s + 1 %s", l->ack_ok ? "=" : "≠",
             check_what[l->check], l->ack_ok ? "✓" : "✗");
    return buf;
}

char *tcpfsm_check_detail(const tcpfsm_label *l, tcpfsm_lang lang, char *buf,
                          size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (l->ack_ok < 0 || l->check == TCPFSM_CHECK_NONE ||
        l->check >= TCPFSM_CHECK_COUNT)
        return buf;
    const char *eq = l->ack_ok ? "=" : "≠", *mark = l->ack_ok ? "✓" : "✗";
    if (l->check == TCPFSM_CHECK_TFO) {
        tcpfsm_role peer = l->role == TCPFSM_ROLE_CLIENT ? TCPFSM_ROLE_SERVER
                                                         : TCPFSM_ROLE_CLIENT;
        snprintf(buf, size, "ack %u %s %s ISN %u + 1 + %u %s", l->check_seen,
                 eq, tcpfsm_role_text(peer, lang), l->check_expected - 1,
                 l->check_seen - l->check_expected, mark);
    } else if (l->check == TCPFSM_CHECK_ISN) {
        /* the ISN of the receiver: the peer of the sender */
        tcpfsm_role peer = l->role == TCPFSM_ROLE_CLIENT ? TCPFSM_ROLE_SERVER
                                                         : TCPFSM_ROLE_CLIENT;
        snprintf(buf, size, "ack %u %s %s ISN %u + 1 %s", l->check_seen, eq,
                 tcpfsm_role_text(peer, lang), l->check_expected - 1, mark);
    } else {
        snprintf(buf, size, "ack %u %s FIN seq %u + 1 %s", l->check_seen, eq,
                 l->check_expected - 1, mark);
    }
    return buf;
}

/* ---- summary tokens, the adapters' other words ---- */

static const char *const handshake_words[TCPFSM_LANG_MAX][TCPFSM_HS_MAX] = {
    [TCPFSM_LANG_EN] = {
        [TCPFSM_HS_NONE] = "not captured",
        [TCPFSM_HS_COMPLETE] = "three-way handshake",
        [TCPFSM_HS_SIMULTANEOUS] = "simultaneous open",
        [TCPFSM_HS_REFUSED] = "refused",
        [TCPFSM_HS_SYN_ONLY] = "SYNs only, no answer",
        [TCPFSM_HS_PARTIAL] = "partly captured",
    },
    [TCPFSM_LANG_ZH] = {
        [TCPFSM_HS_NONE] = "未捕获到握手",
        [TCPFSM_HS_COMPLETE] = "三次握手完成",
        [TCPFSM_HS_SIMULTANEOUS] = "同时打开",
        [TCPFSM_HS_REFUSED] = "连接被拒绝",
        [TCPFSM_HS_SYN_ONLY] = "只有 SYN，无应答",
        [TCPFSM_HS_PARTIAL] = "只捕获到部分握手",
    },
};

static const char *const close_words[TCPFSM_LANG_MAX][TCPFSM_CL_MAX] = {
    [TCPFSM_LANG_EN] = {
        [TCPFSM_CL_NONE] = "",
        [TCPFSM_CL_FIN4] = "four-way close",
        [TCPFSM_CL_FIN3] = "merged close, three segments",
        [TCPFSM_CL_SIMULTANEOUS] = "simultaneous close",
        [TCPFSM_CL_RESET] = "reset",
        [TCPFSM_CL_REFUSED] = "refused",
        [TCPFSM_CL_HALF_CLOSED] = "half-closed: one FIN",
        [TCPFSM_CL_OPEN] = "still open",
    },
    [TCPFSM_LANG_ZH] = {
        [TCPFSM_CL_NONE] = "",
        [TCPFSM_CL_FIN4] = "四次挥手",
        [TCPFSM_CL_FIN3] = "三次挥手：第二、三次合并",
        [TCPFSM_CL_SIMULTANEOUS] = "同时关闭",
        [TCPFSM_CL_RESET] = "连接重置",
        [TCPFSM_CL_REFUSED] = "连接被拒绝",
        [TCPFSM_CL_HALF_CLOSED] = "半关闭：只有一方发出 FIN",
        [TCPFSM_CL_OPEN] = "未关闭",
    },
};

const char *tcpfsm_handshake_text(tcpfsm_handshake h, tcpfsm_lang lang)
{
    return (unsigned)h < TCPFSM_HS_MAX ? handshake_words[lang_ok(lang)][h] : "";
}

const char *tcpfsm_close_text(tcpfsm_close c, tcpfsm_lang lang)
{
    return (unsigned)c < TCPFSM_CL_MAX ? close_words[lang_ok(lang)][c] : "";
}

static const char *const word_table[TCPFSM_LANG_MAX][TCPFSM_W_COUNT] = {
    [TCPFSM_LANG_EN] = {
#define TCPFSM_X_WORD_EN(id, en, zh) [TCPFSM_W_##id] = en,
        TCPFSM_WORDS(TCPFSM_X_WORD_EN)
#undef TCPFSM_X_WORD_EN
    },
    [TCPFSM_LANG_ZH] = {
#define TCPFSM_X_WORD_ZH(id, en, zh) [TCPFSM_W_##id] = zh,
        TCPFSM_WORDS(TCPFSM_X_WORD_ZH)
#undef TCPFSM_X_WORD_ZH
    },
};

const char *tcpfsm_word(tcpfsm_lang lang, int id)
{
    if (id < 0 || id >= TCPFSM_W_COUNT)
        return "";
    return word_table[lang_ok(lang)][id];
}

/* ---- the words of the plugin's tree and tables ---- */

/* Field titles: what a tree item shows before its value ("Event: fin1",
 * 事件：fin1) and a statistics table's column headings.  Field names
 * (tcpfsm.event) and values (tokens) are the same in every language. */
static const char *const label_field_title[TCPFSM_LANG_MAX][TCPFSM_LF_COUNT] = {
    [TCPFSM_LANG_EN] = {
        [TCPFSM_LF_EVENT] = "Event",
        [TCPFSM_LF_PHASE] = "Phase",
        [TCPFSM_LF_STEP] = "Step",
        [TCPFSM_LF_CLOSE] = "Close",
        [TCPFSM_LF_ROLE] = "Sender role",
        [TCPFSM_LF_CLIENT_STATE] = "Client state",
        [TCPFSM_LF_SERVER_STATE] = "Server state",
        [TCPFSM_LF_SRC_PREV] = "Sender state before",
        [TCPFSM_LF_SRC_STATE] = "Sender state after",
        [TCPFSM_LF_DST_PREV] = "Receiver state before",
        [TCPFSM_LF_DST_STATE] = "Receiver state after",
        [TCPFSM_LF_SEQ_REL] = "Relative sequence number",
        [TCPFSM_LF_ACK_REL] = "Relative acknowledgment number",
        [TCPFSM_LF_ACK_OK] = "Acknowledgment check",
        [TCPFSM_LF_ANOMALY] = "Anomaly",
        [TCPFSM_LF_LABEL] = "Label",
    },
    [TCPFSM_LANG_ZH] = {
        [TCPFSM_LF_EVENT] = "事件",
        [TCPFSM_LF_PHASE] = "阶段",
        [TCPFSM_LF_STEP] = "步骤",
        [TCPFSM_LF_CLOSE] = "关闭方式",
        [TCPFSM_LF_ROLE] = "发送方角色",
        [TCPFSM_LF_CLIENT_STATE] = "客户端状态",
        [TCPFSM_LF_SERVER_STATE] = "服务器状态",
        [TCPFSM_LF_SRC_PREV] = "发送方之前的状态",
        [TCPFSM_LF_SRC_STATE] = "发送方之后的状态",
        [TCPFSM_LF_DST_PREV] = "接收方之前的状态",
        [TCPFSM_LF_DST_STATE] = "接收方之后的状态",
        [TCPFSM_LF_SEQ_REL] = "相对序号",
        [TCPFSM_LF_ACK_REL] = "相对确认号",
        [TCPFSM_LF_ACK_OK] = "确认号检查",
        [TCPFSM_LF_ANOMALY] = "异常",
        [TCPFSM_LF_LABEL] = "说明",
    },
};

static const char *const summary_field_title[TCPFSM_LANG_MAX][TCPFSM_SF_COUNT] = {
    [TCPFSM_LANG_EN] = {
        [TCPFSM_SF_STREAM] = "Stream index",
        [TCPFSM_SF_CLIENT] = "Client",
        [TCPFSM_SF_SERVER] = "Server",
        [TCPFSM_SF_FIRST_FRAME] = "First frame",
        [TCPFSM_SF_LAST_FRAME] = "Last frame",
        [TCPFSM_SF_DURATION] = "Duration",
        [TCPFSM_SF_HANDSHAKE] = "Handshake",
        [TCPFSM_SF_CLOSE] = "Close",
        [TCPFSM_SF_ACTIVE_CLOSER] = "Active closer",
        [TCPFSM_SF_CLIENT_STATE] = "Client state",
        [TCPFSM_SF_SERVER_STATE] = "Server state",
        [TCPFSM_SF_SYN_RTT] = "SYN RTT",
        [TCPFSM_SF_IRTT] = "iRTT",
        [TCPFSM_SF_CLIENT_PACKETS] = "Client packets",
        [TCPFSM_SF_SERVER_PACKETS] = "Server packets",
        [TCPFSM_SF_CLIENT_BYTES] = "Client bytes",
        [TCPFSM_SF_SERVER_BYTES] = "Server bytes",
        [TCPFSM_SF_CONN_STATE] = "Zeek conn_state",
        [TCPFSM_SF_HISTORY] = "Zeek history",
        [TCPFSM_SF_ORIG_H] = "Zeek originator address",
        [TCPFSM_SF_ORIG_P] = "Zeek originator port",
        [TCPFSM_SF_RESP_H] = "Zeek responder address",
        [TCPFSM_SF_RESP_P] = "Zeek responder port",
        [TCPFSM_SF_ORIG_PKTS] = "Zeek originator packets",
        [TCPFSM_SF_RESP_PKTS] = "Zeek responder packets",
        [TCPFSM_SF_ANOMALIES] = "Connection anomaly",
    },
    [TCPFSM_LANG_ZH] = {
        [TCPFSM_SF_STREAM] = "流索引",
        [TCPFSM_SF_CLIENT] = "客户端",
        [TCPFSM_SF_SERVER] = "服务器",
        [TCPFSM_SF_FIRST_FRAME] = "首帧",
        [TCPFSM_SF_LAST_FRAME] = "末帧",
        [TCPFSM_SF_DURATION] = "持续时间",
        [TCPFSM_SF_HANDSHAKE] = "握手",
        [TCPFSM_SF_CLOSE] = "关闭方式",
        [TCPFSM_SF_ACTIVE_CLOSER] = "主动关闭方",
        [TCPFSM_SF_CLIENT_STATE] = "客户端状态",
        [TCPFSM_SF_SERVER_STATE] = "服务器状态",
        [TCPFSM_SF_SYN_RTT] = "SYN 往返时间",
        [TCPFSM_SF_IRTT] = "初始往返时间 iRTT",
        [TCPFSM_SF_CLIENT_PACKETS] = "客户端报文段数",
        [TCPFSM_SF_SERVER_PACKETS] = "服务器报文段数",
        [TCPFSM_SF_CLIENT_BYTES] = "客户端字节数",
        [TCPFSM_SF_SERVER_BYTES] = "服务器字节数",
        [TCPFSM_SF_CONN_STATE] = "Zeek conn_state",
        [TCPFSM_SF_HISTORY] = "Zeek history",
        [TCPFSM_SF_ORIG_H] = "Zeek 发起方地址",
        [TCPFSM_SF_ORIG_P] = "Zeek 发起方端口",
        [TCPFSM_SF_RESP_H] = "Zeek 响应方地址",
        [TCPFSM_SF_RESP_P] = "Zeek 响应方端口",
        [TCPFSM_SF_ORIG_PKTS] = "Zeek 发起方报文数",
        [TCPFSM_SF_RESP_PKTS] = "Zeek 响应方报文数",
        [TCPFSM_SF_ANOMALIES] = "连接异常",
    },
};

const char *tcpfsm_label_field_title(int f, tcpfsm_lang lang)
{
    if (f < 0 || f >= TCPFSM_LF_COUNT)
        return "";
    const char *t = label_field_title[lang_ok(lang)][f];
    if (!t)
        t = label_field_title[TCPFSM_LANG_EN][f];
    return t ? t : tcpfsm_label_field_name(f); /* a field added later */
}

const char *tcpfsm_summary_field_title(int f, tcpfsm_lang lang)
{
    if (f < 0 || f >= TCPFSM_SF_COUNT)
        return "";
    const char *t = summary_field_title[lang_ok(lang)][f];
    if (!t)
        t = summary_field_title[TCPFSM_LANG_EN][f];
    return t ? t : tcpfsm_summary_field_name(f);
}

/* "TCP State Machine, Teardown 1/4: first FIN (client → server)" /
 * "TCP 状态机：第一次挥手（客户端 → 服务器）" */
char *tcpfsm_tree_heading(const char *title, tcpfsm_role sender, tcpfsm_lang lang,
                          char *buf, size_t size)
{
    tcpfsm_role rcv = sender == TCPFSM_ROLE_CLIENT ? TCPFSM_ROLE_SERVER
                                                   : TCPFSM_ROLE_CLIENT;
    if (size == 0)
        return buf;
    if (lang_ok(lang) == TCPFSM_LANG_ZH)
        snprintf(buf, size, "TCP 状态机：%s（%s → %s）", title,
                 tcpfsm_role_text(sender, lang), tcpfsm_role_text(rcv, lang));
    else
        snprintf(buf, size, "TCP State Machine, %s (%s \xe2\x86\x92 %s)", title,
                 tcpfsm_role_text(sender, lang), tcpfsm_role_text(rcv, lang));
    return buf;
}

/* "Connection: handshake complete, close fin4 by client, client TIME_WAIT,
 * server CLOSED" / "连接：握手 complete，关闭方式 fin4（客户端主动关闭），
 * 客户端 TIME_WAIT（时间等待），服务器 CLOSED（关闭）"; so_far: the
 * summary is what is known at this frame (a single tshark pass). */
char *tcpfsm_conn_heading(const tcpfsm_summary *s, bool so_far, tcpfsm_lang lang,
                          char *buf, size_t size)
{
    if (size == 0)
        return buf;
    char by[64] = "";
    if (lang_ok(lang) == TCPFSM_LANG_ZH) {
        if (s->active_closer != TCPFSM_ROLE_NONE)
            snprintf(by, sizeof by, "（%s主动关闭）",
                     tcpfsm_role_text(s->active_closer, lang));
        snprintf(buf, size, "连接%s：握手 %s，关闭方式 %s%s，客户端 %s，服务器 %s",
                 so_far ? "（目前所知）" : "", tcpfsm_handshake_name(s->handshake),
                 tcpfsm_close_name(s->close), by,
                 tcpfsm_state_text(s->client_state, lang),
                 tcpfsm_state_text(s->server_state, lang));
    } else {
        if (s->active_closer != TCPFSM_ROLE_NONE)
            snprintf(by, sizeof by, " by %s", tcpfsm_role_name(s->active_closer));
        snprintf(buf, size, "Connection%s: handshake %s, close %s%s, client %s, server %s",
                 so_far ? " (so far)" : "", tcpfsm_handshake_name(s->handshake),
                 tcpfsm_close_name(s->close), by, tcpfsm_state_name(s->client_state),
                 tcpfsm_state_name(s->server_state));
    }
    return buf;
}

/* ---- a sentence as its clauses ---- */

/* The separators between a label's clauses, in the order of preference:
 * the moves (" — "), then the notes ("; ", "；"). */
static const char *const clause_seps[] = {
    " \xe2\x80\x94 ", /* " — " */
    "; ",
    "\xef\xbc\x9b",   /* "；" */
};
/* Where a clause still too long may be cut: after a comma. */
static const char *const clause_commas[] = {
    ", ",
    "\xef\xbc\x8c",   /* "，" */
};

size_t tcpfsm_label_clause(const char *s, size_t max, size_t *skip)
{
    size_t n = strlen(s);
    size_t cut = n, sep = 0;
    *skip = 0;
    for (size_t i = 0; i < sizeof clause_seps / sizeof clause_seps[0]; i++) {
        const char *p = strstr(s, clause_seps[i]);
        if (p && (size_t)(p - s) < cut && p > s) {
            cut = (size_t)(p - s);
            sep = strlen(clause_seps[i]);
        }
    }
    if (cut <= max) {
        *skip = sep;
        return cut;
    }
    /* too long: the last comma that keeps it within max (the comma stays
     * with the first part) */
    size_t best = 0, best_skip = 0;
    for (size_t i = 0; i < sizeof clause_commas / sizeof clause_commas[0]; i++) {
        size_t cl = strlen(clause_commas[i]);
        for (const char *p = strstr(s, clause_commas[i]); p && (size_t)(p - s) < cut;
             p = strstr(p + 1, clause_commas[i])) {
            size_t end = (size_t)(p - s) + (clause_commas[i][0] == ',' ? 1 : cl);
            if (end <= max && end > best) {
                best = end;
                best_skip = clause_commas[i][0] == ',' ? 1 : 0;
            }
        }
    }
    if (best) {
        *skip = best_skip;
        return best;
    }
    /* no comma: cut at a character boundary */
    size_t end = max;
    while (end > 0 && ((unsigned char)s[end] & 0xc0) == 0x80)
        end--;
    return end ? end : max;
}
