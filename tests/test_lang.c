/* test_lang.c - the languages of the labels (cmocka).
 *
 * - every message of the table (engine/messages.h) exists in every
 *   language, and each translation takes the same arguments, of the same
 *   types, in the same order (or positioned with %N$) as the English one:
 *   the compiler cannot check formats that come from a table, this test
 *   does;
 * - step titles, state glosses, role words, language names;
 * - the engine in Chinese: the four-way close, the merged close, the
 *   simultaneous close and a refused connection give the Chinese step
 *   names on the right segments, every token field stays the same as in
 *   English, and the labels are whole UTF-8 sentences;
 * - tcpfsm_step_title() names the step each label begins with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "messages.h"
#include "tcpfsm.h"
#include "tcpfsm_lang.h"

/* ---- the formats ---- */

/* The conversions of a printf format, by argument position: "u", "s",
 * "d", "lu"...; returns their count, -1 when the format mixes numbered and
 * unnumbered conversions or skips a position. */
static int conversions(const char *fmt, char conv[][8], int max)
{
    int n = 0, numbered = -1, highest = 0;
    char byarg[16][8] = {{0}};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        int pos = 0;
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            pos = pos * 10 + (*q++ - '0');
        bool is_numbered = *q == '$' && pos > 0;
        if (is_numbered)
            p = q + 1;
        else
            pos = 0;
        if (numbered >= 0 && numbered != (int)is_numbered)
            return -1;
        numbered = is_numbered;
        while (strchr("-+ #0", *p))
            p++;
        while ((*p >= '0' && *p <= '9') || *p == '.')
            p++;
        char c[8] = {0};
        size_t k = 0;
        while (strchr("hlLqjzt", *p) && k < 4)
            c[k++] = *p++;
        c[k] = *p;
        if (!is_numbered)
            pos = ++n;
        else if (pos > n)
            n = pos;
        if (pos > 15 || pos > max)
            return -1;
        memcpy(byarg[pos], c, sizeof c);
        if (pos > highest)
            highest = pos;
    }
    for (int i = 1; i <= highest; i++) {
        if (!byarg[i][0])
            return -1; /* a position not used */
        memcpy(conv[i - 1], byarg[i], 8);
    }
    return highest;
}

static void test_formats_match(void **state)
{
    (void)state;
    for (int id = 0; id < TCPFSM_M_COUNT; id++) {
        const char *en = tcpfsm_lang_msg(TCPFSM_LANG_EN, id);
        char want[16][8], got[16][8];
        int nw = conversions(en, want, 16);
        assert_true(nw >= 0);
        for (int lang = 0; lang < TCPFSM_LANG_MAX; lang++) {
            const char *f = tcpfsm_lang_msg(lang, id);
            assert_non_null(f);
            assert_true(f[0] != '\0');
            assert_true(g_utf8_validate(f, -1, NULL));
            int ng = conversions(f, got, 16);
            if (ng != nw)
                fail_msg("message %d in %s: %d arguments, English has %d: %s",
                         id, tcpfsm_lang_name(lang), ng, nw, f);
            for (int i = 0; i < nw; i++)
                if (strcmp(want[i], got[i]))
                    fail_msg("message %d in %s: argument %d is %%%s, English "
                             "%%%s: %s", id, tcpfsm_lang_name(lang), i + 1,
                             got[i], want[i], f);
        }
    }
}

/* the checker itself */
static void test_conversions(void **state)
{
    (void)state;
    char c[16][8];
    assert_int_equal(conversions("%s: a %u b %%", c, 16), 2);
    assert_string_equal(c[0], "s");
    assert_string_equal(c[1], "u");
    assert_int_equal(conversions("%2$u %1$s", c, 16), 2);
    assert_string_equal(c[0], "s");
    assert_string_equal(c[1], "u");
    assert_int_equal(conversions("%1$s %s", c, 16), -1); /* mixed */
    assert_int_equal(conversions("%2$s", c, 16), -1);    /* skips 1 */
    assert_int_equal(conversions("%lu%lld", c, 16), 2);
    assert_string_equal(c[1], "lld");
}

/* ---- words ---- */

static void test_titles(void **state)
{
    (void)state;
    static const struct {
        int kind;
        unsigned num, last, of;
        const char *en, *zh;
    } t[] = {
        {TCPFSM_T_HANDSHAKE, 1, 1, 3, "Handshake 1/3", "第一次握手"},
        {TCPFSM_T_HANDSHAKE, 2, 0, 3, "Handshake 2/3", "第二次握手"},
        {TCPFSM_T_HANDSHAKE, 3, 3, 3, "Handshake 3/3", "第三次握手"},
        {TCPFSM_T_HANDSHAKE, 3, 3, 4, "Handshake 3/4", "同时打开 3/4"},
        {TCPFSM_T_SIM_OPEN, 2, 2, 4, "Simultaneous open 2/4", "同时打开 2/4"},
        {TCPFSM_T_TEARDOWN, 1, 1, 4, "Teardown 1/4", "第一次挥手"},
        {TCPFSM_T_TEARDOWN, 2, 2, 4, "Teardown 2/4", "第二次挥手"},
        {TCPFSM_T_TEARDOWN, 3, 3, 4, "Teardown 3/4", "第三次挥手"},
        {TCPFSM_T_TEARDOWN, 4, 4, 4, "Teardown 4/4", "第四次挥手"},
        /* the merged close: the second and third steps on one segment */
        {TCPFSM_T_TEARDOWN, 2, 3, 4, "Teardown 2+3/4", "第二、三次挥手合并"},
        {TCPFSM_T_SIM_CLOSE, 3, 3, 4, "Simultaneous close 3/4", "同时关闭 3/4"},
        {TCPFSM_T_SIM_CLOSE, 2, 3, 4, "Simultaneous close 2+3/4", "同时关闭 2+3/4"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_string_equal(tcpfsm_lang_title(TCPFSM_LANG_EN, t[i].kind, t[i].num,
                                              t[i].last, t[i].of, buf, sizeof buf),
                            t[i].en);
        assert_string_equal(tcpfsm_lang_title(TCPFSM_LANG_ZH, t[i].kind, t[i].num,
                                              t[i].last, t[i].of, buf, sizeof buf),
                            t[i].zh);
    }
}

static void test_states_roles_names(void **state)
{
    (void)state;
    static const char *const zh[TCPFSM_STATE_MAX] = {
        "UNKNOWN（未知）", "CLOSED（关闭）", "LISTEN（监听）",
        "SYN_SENT（同步已发送）", "SYN_RECEIVED（同步已接收）",
        "ESTABLISHED（已建立连接）", "FIN_WAIT_1（终止等待1）",
        "FIN_WAIT_2（终止等待2）", "CLOSE_WAIT（关闭等待）",
        "CLOSING（同时关闭）", "LAST_ACK（最后确认）", "TIME_WAIT（时间等待）",
    };
    for (int s = 0; s < TCPFSM_STATE_MAX; s++) {
        assert_string_equal(tcpfsm_state_text(s, TCPFSM_LANG_EN),
                            tcpfsm_state_name(s));
        assert_string_equal(tcpfsm_state_text(s, TCPFSM_LANG_ZH), zh[s]);
        assert_string_equal(tcpfsm_state_gloss(s, TCPFSM_LANG_EN), "");
        /* the gloss is what the parentheses hold */
        char want[80];
        snprintf(want, sizeof want, "%s（%s）", tcpfsm_state_name(s),
                 tcpfsm_state_gloss(s, TCPFSM_LANG_ZH));
        assert_string_equal(want, zh[s]);
    }
    assert_string_equal(tcpfsm_role_text(TCPFSM_ROLE_CLIENT, TCPFSM_LANG_ZH), "客户端");
    assert_string_equal(tcpfsm_role_text(TCPFSM_ROLE_SERVER, TCPFSM_LANG_ZH), "服务器");
    assert_string_equal(tcpfsm_role_text(TCPFSM_ROLE_SERVER, TCPFSM_LANG_EN), "server");

    tcpfsm_lang l = TCPFSM_LANG_MAX;
    assert_true(tcpfsm_lang_parse("zh", &l) && l == TCPFSM_LANG_ZH);
    assert_true(tcpfsm_lang_parse("ZH_cn.UTF-8", &l) && l == TCPFSM_LANG_ZH);
    assert_true(tcpfsm_lang_parse("zh-CN", &l) && l == TCPFSM_LANG_ZH);
    assert_true(tcpfsm_lang_parse("en", &l) && l == TCPFSM_LANG_EN);
    assert_true(tcpfsm_lang_parse("en_US.UTF-8", &l) && l == TCPFSM_LANG_EN);
    assert_false(tcpfsm_lang_parse("fr", &l));
    assert_false(tcpfsm_lang_parse("zhx", &l));
    assert_false(tcpfsm_lang_parse("", &l));
    assert_false(tcpfsm_lang_parse(NULL, &l));
    assert_string_equal(tcpfsm_lang_name(TCPFSM_LANG_ZH), "zh");

    /* the default is English */
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    assert_int_equal(cfg.lang, TCPFSM_LANG_EN);
}

/* ---- the engine in Chinese ---- */

enum { C2S, S2C };
typedef struct seg_spec {
    int dir;
    uint16_t flags;
    uint32_t seq, ack, len; /* relative to each side's ISN */
    const char *zh_title;   /* the Chinese step title, or NULL */
} seg_spec;

#define F_ TCPFSM_FIN
#define S_ TCPFSM_SYN
#define R_ TCPFSM_RST
#define A_ TCPFSM_ACK
#define P_ TCPFSM_PSH
#define CISN 830831828u
#define SISN 2690963443u

static void make(const seg_spec *sp, uint64_t frame, tcpfsm_segment *seg)
{
    tcpfsm_segment_init(seg);
    seg->frame = frame;
    seg->time = 1.0 + frame * 0.001;
    seg->has_time = true;
    tcpfsm_addr c, s;
    tcpfsm_addr_parse("10.0.0.1", &c);
    tcpfsm_addr_parse("10.0.0.2", &s);
    bool c2s = sp->dir == C2S;
    seg->src = c2s ? c : s;
    seg->dst = c2s ? s : c;
    seg->sport = c2s ? 40000 : 80;
    seg->dport = c2s ? 80 : 40000;
    seg->flags = sp->flags;
    seg->seq = sp->seq + (c2s ? CISN : SISN);
    seg->ack = sp->flags & A_ ? sp->ack + (c2s ? SISN : CISN) : 0;
    seg->len = sp->len;
}

/* Runs a scenario in English and in Chinese; checks the titles, that
 * every field but the label is the same, and the label's text. */
static void run_both(const seg_spec *sp, size_t n, const char *const *zh_has)
{
    tcpfsm_engine *e[2];
    for (int lang = 0; lang < 2; lang++) {
        tcpfsm_config cfg;
        tcpfsm_config_init(&cfg);
        cfg.lang = lang ? TCPFSM_LANG_ZH : TCPFSM_LANG_EN;
        e[lang] = tcpfsm_engine_new(&cfg);
    }
    for (size_t i = 0; i < n; i++) {
        tcpfsm_segment seg;
        tcpfsm_label l[2];
        make(&sp[i], i + 1, &seg);
        for (int lang = 0; lang < 2; lang++)
            assert_int_equal(tcpfsm_engine_feed(e[lang], &seg, &l[lang]), 0);
        /* every token field is the same in both languages */
        for (int f = 0; f < TCPFSM_LF_COUNT; f++) {
            char a[TCPFSM_LABEL_MAX + 8], b[TCPFSM_LABEL_MAX + 8];
            if (f == TCPFSM_LF_LABEL)
                continue;
            assert_string_equal(tcpfsm_label_field_str(&l[0], f, a, sizeof a),
                                tcpfsm_label_field_str(&l[1], f, b, sizeof b));
        }
        const char *zh = l[1].label;
        assert_true(g_utf8_validate(zh, -1, NULL));
        assert_true(strlen(zh) + 1 < TCPFSM_LABEL_MAX); /* not cut short */
        if (sp[i].zh_title) {
            char want[96];
            snprintf(want, sizeof want, "%s：", sp[i].zh_title);
            if (strncmp(zh, want, strlen(want)))
                fail_msg("segment %zu: \"%s\" does not begin with \"%s\"", i + 1,
                         zh, want);
        }
        if (zh_has && zh_has[i] && !strstr(zh, zh_has[i]))
            fail_msg("segment %zu: \"%s\" lacks \"%s\"", i + 1, zh, zh_has[i]);
        /* the step title each label begins with, in each language */
        for (int lang = 0; lang < 2; lang++) {
            char t[64], want[80];
            tcpfsm_step_title(&l[lang], lang, t, sizeof t);
            if (!*t)
                continue;
            snprintf(want, sizeof want, "%s%s", t, lang ? "：" : ":");
            if (strncmp(l[lang].label, want, strlen(want)))
                fail_msg("segment %zu: title \"%s\", label \"%s\"", i + 1, t,
                         l[lang].label);
        }
    }
    for (int lang = 0; lang < 2; lang++)
        tcpfsm_engine_free(e[lang]);
}

#define HANDSHAKE                                  \
    {C2S, S_, 0, 0, 0, "第一次握手"},              \
    {S2C, S_ | A_, 0, 1, 0, "第二次握手"},         \
    {C2S, A_, 1, 1, 0, "第三次握手"},              \
    {C2S, P_ | A_, 1, 1, 10, NULL},                \
    {S2C, A_, 1, 11, 0, NULL}

static void test_zh_fourway(void **state)
{
    (void)state;
    static const seg_spec sp[] = {
        HANDSHAKE,
        {C2S, F_ | A_, 11, 1, 0, "第一次挥手"},
        {S2C, A_, 1, 12, 0, "第二次挥手"},
        {S2C, F_ | A_, 1, 12, 0, "第三次挥手"},
        {C2S, A_, 12, 2, 0, "第四次挥手"},
    };
    static const char *const has[] = {
        "客户端 CLOSED（关闭） → SYN_SENT（同步已发送），服务器 LISTEN（监听） → "
        "SYN_RECEIVED（同步已接收）",
        "ack 830831829 = 客户端 ISN 830831828 + 1 ✓",
        "ack 2690963444 = 服务器 ISN 2690963443 + 1 ✓",
        "客户端发送数据，10 字节，seq 1 — 状态不变",
        "服务器发出 ACK，ack 11",
        "客户端发出 FIN（主动关闭），seq 11 — 客户端 ESTABLISHED（已建立连接） → "
        "FIN_WAIT_1（终止等待1），服务器 ESTABLISHED（已建立连接） → CLOSE_WAIT（关闭等待）",
        "ACK 确认客户端的 FIN，ack 12 = FIN seq 11 + 1 ✓ — 客户端 FIN_WAIT_1（终止等待1） → "
        "FIN_WAIT_2（终止等待2）",
        "；客户端在 TIME_WAIT 中等待 2MSL",
        "服务器 LAST_ACK（最后确认） → CLOSED（关闭）",
    };
    run_both(sp, sizeof sp / sizeof sp[0], has);
}

static void test_zh_merged(void **state)
{
    (void)state;
    static const seg_spec sp[] = {
        HANDSHAKE,
        {C2S, F_ | A_, 11, 1, 0, "第一次挥手"},
        {S2C, F_ | A_, 1, 12, 0, "第二、三次挥手合并"},
        {C2S, A_, 12, 2, 0, "第四次挥手"},
    };
    static const char *const has[] = {
        NULL, NULL, NULL, NULL, NULL, NULL,
        "服务器发出 FIN+ACK（被动关闭，同时确认客户端的 FIN），ack 12 = FIN seq 11 + 1 ✓",
        NULL,
    };
    run_both(sp, sizeof sp / sizeof sp[0], has);
}

static void test_zh_simultaneous_and_retransmission(void **state)
{
    (void)state;
    static const seg_spec sp[] = {
        {C2S, S_, 0, 0, 0, "第一次握手"},
        {C2S, S_, 0, 0, 0, "第一次握手"}, /* retransmitted */
        {S2C, S_ | A_, 0, 1, 0, "第二次握手"},
        {C2S, A_, 1, 1, 0, "第三次握手"},
        {C2S, F_ | A_, 1, 1, 0, "第一次挥手"},
        {S2C, F_ | A_, 1, 1, 0, "同时关闭 2/4"},
        {C2S, A_, 2, 2, 0, "同时关闭 3/4"},
        {S2C, A_, 2, 2, 0, "同时关闭 4/4"},
    };
    static const char *const has[] = {
        NULL, "SYN 重传（ISN 不变，830831828）", NULL, NULL, NULL,
        "与客户端的 FIN 交叉", "服务器 FIN_WAIT_1（终止等待1） → FIN_WAIT_2（终止等待2）",
        "客户端 CLOSING（同时关闭） → TIME_WAIT（时间等待）",
    };
    run_both(sp, sizeof sp / sizeof sp[0], has);
}

static void test_zh_refused_and_bad_flags(void **state)
{
    (void)state;
    static const seg_spec sp[] = {
        {C2S, S_, 0, 0, 0, "第一次握手"},
        {S2C, R_ | A_, 0, 1, 0, "连接被拒绝"},
    };
    static const char *const has[] = {
        NULL, "连接被拒绝：RST 回应 SYN，ack 830831829 = 客户端 ISN 830831828 + 1 ✓"
              "（端口 80 无人监听）"};
    run_both(sp, 2, has);
    static const seg_spec probe[] = {
        {C2S, 0, 0, 0, 0, NULL},
    };
    static const char *const probe_has[] = {"非法的标志组合 无标志"};
    run_both(probe, 1, probe_has);
}

/* The figure's table: 19 edges, each once, every event a word in both
 * languages; the text edges are not edges of the figure. */
static void test_rfc_edges(void **state)
{
    (void)state;
    size_t n, fig;
    const tcpfsm_rfc_edge *e = tcpfsm_rfc_edges(&n, &fig);
    assert_int_equal(fig, 19);
    assert_int_equal(n, 21);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].in_figure, i < fig);
        assert_ptr_equal(tcpfsm_rfc_edge_find(e[i].from, e[i].to), &e[i]);
        assert_int_equal(tcpfsm_rfc_is_edge(e[i].from, e[i].to), i < fig);
        assert_true(*tcpfsm_word(TCPFSM_LANG_EN, e[i].event));
        assert_true(*tcpfsm_word(TCPFSM_LANG_ZH, e[i].event));
    }
    assert_true(tcpfsm_rfc_is_edge(TCPFSM_FIN_WAIT_2, TCPFSM_TIME_WAIT));
    assert_false(tcpfsm_rfc_is_edge(TCPFSM_TIME_WAIT, TCPFSM_FIN_WAIT_2));
    assert_false(tcpfsm_rfc_is_edge(TCPFSM_FIN_WAIT_1, TCPFSM_TIME_WAIT));
    assert_string_equal(tcpfsm_word(TCPFSM_LANG_EN,
                                     tcpfsm_rfc_edge_find(TCPFSM_ESTABLISHED,
                                                          TCPFSM_CLOSE_WAIT)->event),
                        "rcv FIN / snd ACK");
}

/* One flag namer, two orders. */
static void test_flags_text(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(tcpfsm_flags_text(TCPFSM_SYN | TCPFSM_ACK, TCPFSM_FLAGS_WIRESHARK, b, sizeof b), 7);
    assert_string_equal(b, "SYN-ACK");
    tcpfsm_flags_text(TCPFSM_FIN | TCPFSM_PSH | TCPFSM_ACK | 0x40, TCPFSM_FLAGS_WIRESHARK, b, sizeof b);
    assert_string_equal(b, "FIN-PSH-ACK-ECE");
    tcpfsm_flags_text(TCPFSM_SYN | TCPFSM_FIN | 0x80, TCPFSM_FLAGS_SENTENCE, b, sizeof b);
    assert_string_equal(b, "SYN+FIN");
    tcpfsm_flags_text(TCPFSM_SYN | TCPFSM_RST, TCPFSM_FLAGS_SENTENCE, b, sizeof b);
    assert_string_equal(b, "SYN+RST");
    assert_int_equal(tcpfsm_flags_text(0, TCPFSM_FLAGS_SENTENCE, b, sizeof b), 0);
    assert_string_equal(b, "");
}

/* The clauses of a sentence, as the plugin's tree shows them: joined by
 * "|" */
static void clauses(const char *s, size_t max, char *out, size_t size)
{
    size_t o = 0, skip;
    out[0] = '\0';
    for (const char *p = s; *p;) {
        size_t n = tcpfsm_label_clause(p, max, &skip);
        assert_true(n > 0 && n <= max);
        /* never inside a UTF-8 character */
        assert_true(p[n] == '\0' || ((unsigned char)p[n] & 0xc0) != 0x80);
        o += (size_t)snprintf(out + o, size - o, "%s%.*s", o ? "|" : "", (int)n, p);
        p += n + skip;
    }
}

static void test_label_clauses(void **state)
{
    (void)state;
    char out[1024];
    clauses("Data", 200, out, sizeof out);
    assert_string_equal(out, "Data");
    clauses("Teardown 2+3/4: FIN+ACK, ack 7 = FIN seq 6 + 1 \xe2\x9c\x93 \xe2\x80\x94 client "
            "FIN_WAIT_1 \xe2\x86\x92 TIME_WAIT; the client waits 2 MSL",
            200, out, sizeof out);
    assert_string_equal(out, "Teardown 2+3/4: FIN+ACK, ack 7 = FIN seq 6 + 1 \xe2\x9c\x93|client "
                             "FIN_WAIT_1 \xe2\x86\x92 TIME_WAIT|the client waits 2 MSL");
    /* Chinese: "；" ends a clause */
    clauses("第四次挥手 \xe2\x80\x94 客户端 TIME_WAIT；服务器 CLOSED", 200, out, sizeof out);
    assert_string_equal(out, "第四次挥手|客户端 TIME_WAIT|服务器 CLOSED");
    /* too long: cut after the last comma that fits, else between
     * characters */
    clauses("aaaa, bbbb, cccc", 11, out, sizeof out);
    assert_string_equal(out, "aaaa, bbbb,|cccc");
    clauses("一二三四五", 7, out, sizeof out); /* 3 bytes a character */
    assert_string_equal(out, "一二|三四|五");
}

static void test_tree_words(void **state)
{
    (void)state;
    /* every field has a title in every language */
    for (int lang = 0; lang < TCPFSM_LANG_MAX; lang++) {
        for (int f = 0; f < TCPFSM_LF_COUNT; f++)
            assert_true(*tcpfsm_label_field_title(f, (tcpfsm_lang)lang));
        for (int f = 0; f < TCPFSM_SF_COUNT; f++)
            assert_true(*tcpfsm_summary_field_title(f, (tcpfsm_lang)lang));
        for (int w = 0; w < TCPFSM_W_COUNT; w++)
            assert_true(*tcpfsm_word((tcpfsm_lang)lang, w));
    }
    assert_string_equal(tcpfsm_label_field_title(TCPFSM_LF_CLIENT_STATE, TCPFSM_LANG_ZH),
                        "客户端状态");
    char buf[256];
    tcpfsm_tree_heading("第一次挥手", TCPFSM_ROLE_CLIENT, TCPFSM_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, "TCP 状态机：第一次挥手（客户端 → 服务器）");
    tcpfsm_summary s;
    memset(&s, 0, sizeof s);
    s.handshake = TCPFSM_HS_COMPLETE;
    s.close = TCPFSM_CL_FIN4;
    s.active_closer = TCPFSM_ROLE_CLIENT;
    s.client_state = TCPFSM_TIME_WAIT;
    s.server_state = TCPFSM_CLOSED;
    tcpfsm_conn_heading(&s, false, TCPFSM_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf, "Connection: handshake complete, close fin4 by client, client "
                             "TIME_WAIT, server CLOSED");
    tcpfsm_conn_heading(&s, true, TCPFSM_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, "连接（目前所知）：握手 complete，关闭方式 fin4（客户端主动关闭），"
                             "客户端 TIME_WAIT（时间等待），服务器 CLOSED（关闭）");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conversions),
        cmocka_unit_test(test_formats_match),
        cmocka_unit_test(test_titles),
        cmocka_unit_test(test_states_roles_names),
        cmocka_unit_test(test_zh_fourway),
        cmocka_unit_test(test_zh_merged),
        cmocka_unit_test(test_zh_simultaneous_and_retransmission),
        cmocka_unit_test(test_zh_refused_and_bad_flags),
        cmocka_unit_test(test_rfc_edges),
        cmocka_unit_test(test_flags_text),
        cmocka_unit_test(test_label_clauses),
        cmocka_unit_test(test_tree_words),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    int total = (int)(sizeof tests / sizeof tests[0]);
    printf("%d passed, %d failed\n", total - failed, failed);
    return failed != 0;
}
