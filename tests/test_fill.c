/* test_fill.c - tcpfsm_segment_fill() (engine/tcpfsm_input.h): the one
 * place where a segment's field values are checked.  Every error value of
 * TCPFSM_ERRNO_MAP it can return is produced here, through a getter of
 * each kind (text as the TSV reader gives, numbers, addresses and times as
 * the plugin and the direct reader give), with the field and the value the
 * message shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpfsm_input.h"

/* a row: text per field (NULL = no value), or a typed value */
typedef struct row {
    const char *text[TCPFSM_F_COUNT];
    tcpfsm_value_kind kind[TCPFSM_F_COUNT]; /* 0: use text */
    tcpfsm_value val[TCPFSM_F_COUNT];
    int asked[TCPFSM_F_COUNT];
    int occ[TCPFSM_F_COUNT]; /* the occurrence last asked for */
} row;

static tcpfsm_value_kind get(void *ctx, int f, tcpfsm_value *v)
{
    row *r = ctx;
    r->asked[f]++;
    r->occ[f] = v->occurrence;
    if (r->kind[f]) {
        *v = r->val[f];
        return r->kind[f];
    }
    if (!r->text[f])
        return TCPFSM_VAL_NONE;
    v->text = r->text[f];
    return TCPFSM_VAL_TEXT;
}

/* a good IPv4 SYN, as tshark exports it */
static void good(row *r)
{
    memset(r, 0, sizeof *r);
    r->text[TCPFSM_F_FRAME_NUMBER] = "7";
    r->text[TCPFSM_F_TIME_EPOCH] = "1700000000.000004000";
    r->text[TCPFSM_F_STREAM] = "3";
    r->text[TCPFSM_F_IP_SRC] = "10.0.0.1";
    r->text[TCPFSM_F_IP_DST] = "10.0.0.2";
    r->text[TCPFSM_F_SRCPORT] = "40000";
    r->text[TCPFSM_F_DSTPORT] = "80";
    r->text[TCPFSM_F_FLAGS] = "0x0002";
    r->text[TCPFSM_F_SEQ_RAW] = "4294967295";
    r->text[TCPFSM_F_ACK_RAW] = "0";
    r->text[TCPFSM_F_LEN] = "0";
    r->text[TCPFSM_F_WINDOW_VALUE] = "64240";
    r->text[TCPFSM_F_WINDOW_SIZE] = "64240";
    r->text[TCPFSM_F_CHECKSUM_STATUS] = "2";
    r->text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ip:tcp";
    r->text[TCPFSM_F_FRAME_LEN] = "74";
    r->text[TCPFSM_F_FRAME_CAP_LEN] = "74";
}

static void set_uint(row *r, int f, uint64_t u)
{
    r->kind[f] = TCPFSM_VAL_UINT;
    r->val[f].u = u;
}

/* fill must fail with code on field f, and the message must be msg */
static void expect_error(row *r, int code, int f, const char *msg)
{
    tcpfsm_segment seg;
    tcpfsm_input_error e;
    memset(&e, 0x55, sizeof e);
    int rc = tcpfsm_segment_fill(&seg, get, r, &e);
    char buf[256];
    if (rc != code || e.code != code || e.field != f ||
        strcmp(tcpfsm_input_error_str(&e, buf, sizeof buf), msg) != 0)
        print_error("want %d on %d \"%s\", got %d/%d on %d \"%s\"\n", code, f,
                    msg, rc, e.code, e.field, buf);
    assert_int_equal(rc, code);
    assert_int_equal(e.code, code);
    assert_int_equal(e.field, f);
    assert_string_equal(buf, msg);
    /* without an error struct: the same code */
    assert_int_equal(tcpfsm_segment_fill(&seg, get, r, NULL), code);
}

static void test_good_text(void **state)
{
    (void)state;
    row r;
    good(&r);
    tcpfsm_segment s;
    tcpfsm_input_error e;
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, &e), 1);
    assert_int_equal(s.frame, 7);
    assert_true(s.has_time);
    assert_true(s.time == 1700000000.000004);
    assert_int_equal(s.stream, 3);
    assert_int_equal(s.src.family, 4);
    assert_int_equal(s.src.bytes[3], 1);
    assert_int_equal(s.dst.bytes[3], 2);
    assert_int_equal(s.sport, 40000);
    assert_int_equal(s.dport, 80);
    assert_int_equal(s.flags, 2);
    assert_int_equal(s.seq, 4294967295u);
    assert_int_equal(s.ack, 0);
    assert_int_equal(s.len, 0);
    assert_true(s.has_window);
    assert_int_equal(s.window, 64240);
    assert_int_equal(s.checksum, 2);
    assert_int_equal(s.payload_caplen, -1);
    /* each field asked for at most once */
    for (int f = 0; f < TCPFSM_F_COUNT; f++)
        assert_true(r.asked[f] <= 1);
}

/* the same segment from typed values (plugin, direct reader) */
static void test_good_typed(void **state)
{
    (void)state;
    row r;
    good(&r);
    set_uint(&r, TCPFSM_F_FRAME_NUMBER, 7);
    r.kind[TCPFSM_F_TIME_EPOCH] = TCPFSM_VAL_TIME;
    r.val[TCPFSM_F_TIME_EPOCH].time.secs = 1700000000;
    r.val[TCPFSM_F_TIME_EPOCH].time.nsecs = 4000;
    set_uint(&r, TCPFSM_F_SRCPORT, 40000);
    set_uint(&r, TCPFSM_F_DSTPORT, 80);
    set_uint(&r, TCPFSM_F_FLAGS, 2);
    set_uint(&r, TCPFSM_F_SEQ_RAW, 4294967295u);
    set_uint(&r, TCPFSM_F_ACK_RAW, 0);
    set_uint(&r, TCPFSM_F_LEN, 100);
    set_uint(&r, TCPFSM_F_FRAME_LEN, 174);
    set_uint(&r, TCPFSM_F_FRAME_CAP_LEN, 96);
    r.text[TCPFSM_F_IP_SRC] = r.text[TCPFSM_F_IP_DST] = NULL;
    r.text[TCPFSM_F_WINDOW_SIZE] = NULL; /* falls back to the raw value */
    r.kind[TCPFSM_F_IPV6_SRC] = r.kind[TCPFSM_F_IPV6_DST] = TCPFSM_VAL_ADDR;
    assert_true(tcpfsm_addr_parse("2001:db8::1", &r.val[TCPFSM_F_IPV6_SRC].addr));
    assert_true(tcpfsm_addr_parse("2001:db8::2", &r.val[TCPFSM_F_IPV6_DST].addr));
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ipv6:tcp";
    tcpfsm_segment s;
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 1);
    assert_int_equal(s.frame, 7);
    assert_true(s.time == 1700000000.000004);
    assert_int_equal(s.src.family, 6);
    assert_int_equal(s.dst.bytes[15], 2);
    assert_int_equal(s.seq, 4294967295u);
    assert_int_equal(s.len, 100);
    assert_int_equal(s.window, 64240);
    assert_int_equal(s.payload_caplen, 100 - (174 - 96));
}

/* a time of nanoseconds gives strtod's double of its text */
static void test_time_exact(void **state)
{
    (void)state;
    static const struct { int64_t s; int32_t ns; const char *text; } t[] = {
        {1700000000, 123456789, "1700000000.123456789"},
        {1595425213, 999999999, "1595425213.999999999"},
        {0, 1, "0.000000001"},
        {0, 0, "0.000000000"},
        {4294967295, 500000000, "4294967295.500000000"},
        {1700000000, 4000, "1700000000.000004000"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        row r;
        good(&r);
        r.kind[TCPFSM_F_TIME_EPOCH] = TCPFSM_VAL_TIME;
        r.val[TCPFSM_F_TIME_EPOCH].time.secs = t[i].s;
        r.val[TCPFSM_F_TIME_EPOCH].time.nsecs = t[i].ns;
        tcpfsm_segment a, b;
        assert_int_equal(tcpfsm_segment_fill(&a, get, &r, NULL), 1);
        good(&r);
        r.text[TCPFSM_F_TIME_EPOCH] = t[i].text;
        assert_int_equal(tcpfsm_segment_fill(&b, get, &r, NULL), 1);
        assert_true(a.time == b.time);
        assert_true(a.time == strtod(t[i].text, NULL));
    }
}

/* rows that are no segment: no tcp.srcport, a header quoted in ICMP */
static void test_not_segment(void **state)
{
    (void)state;
    row r;
    tcpfsm_segment s;
    good(&r);
    r.text[TCPFSM_F_SRCPORT] = NULL;
    r.text[TCPFSM_F_FLAGS] = "junk"; /* not looked at */
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 0);
    good(&r);
    r.text[TCPFSM_F_SRCPORT] = "";
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 0);
    good(&r);
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ip:icmp:ip:tcp";
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 0);
    good(&r);
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ipv6:icmpv6:ipv6:tcp";
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 0);
    /* "icmp" as the last name, or inside a name, is not a quote */
    good(&r);
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ip:tcp:icmpx:data";
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 1);
}

/* the innermost IP header's addresses (frame.protocols), else IPv4 */
static void test_innermost(void **state)
{
    (void)state;
    row r;
    tcpfsm_segment s;
    good(&r);
    r.text[TCPFSM_F_IPV6_SRC] = "2001:db8::1";
    r.text[TCPFSM_F_IPV6_DST] = "2001:db8::2";
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ip:ipv6:tcp";
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 1);
    assert_int_equal(s.src.family, 6);
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ipv6:ip:tcp";
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 1);
    assert_int_equal(s.src.family, 4);
    r.text[TCPFSM_F_PROTOCOLS] = NULL;
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 1);
    assert_int_equal(s.src.family, 4);
}

/* every error value fill returns, on each kind of getter */
static void test_errors(void **state)
{
    (void)state;
    row r;
    /* TCPFSM_E_EMPTY: a field the segment needs has no value */
    static const struct { int f; const char *msg; } need[] = {
        {TCPFSM_F_FRAME_NUMBER, "frame.number: empty"},
        {TCPFSM_F_DSTPORT, "tcp.dstport: empty"},
        {TCPFSM_F_SEQ_RAW, "tcp.seq_raw: empty"},
        {TCPFSM_F_ACK_RAW, "tcp.ack_raw: empty"},
        {TCPFSM_F_FLAGS, "tcp.flags: empty"},
        {TCPFSM_F_IP_DST, "ip.dst: empty"},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        good(&r);
        r.text[need[i].f] = i % 2 ? "" : NULL;
        expect_error(&r, TCPFSM_E_EMPTY, need[i].f, need[i].msg);
    }
    /* tcp.len absent: no payload, not an error */
    good(&r);
    r.text[TCPFSM_F_LEN] = NULL;
    tcpfsm_segment s;
    assert_int_equal(tcpfsm_segment_fill(&s, get, &r, NULL), 1);
    assert_int_equal(s.len, 0);

    good(&r);
    r.text[TCPFSM_F_LEN] = "-5";
    expect_error(&r, TCPFSM_E_NEGATIVE, TCPFSM_F_LEN, "tcp.len: negative number: \"-5\"");
    good(&r);
    r.text[TCPFSM_F_STREAM] = "12a";
    expect_error(&r, TCPFSM_E_NOT_DECIMAL, TCPFSM_F_STREAM,
                 "tcp.stream: not a decimal number: \"12a\"");
    good(&r);
    r.text[TCPFSM_F_FLAGS] = "0xZZ";
    expect_error(&r, TCPFSM_E_NOT_HEX, TCPFSM_F_FLAGS, "tcp.flags: not a hex number: \"0xZZ\"");
    good(&r);
    r.text[TCPFSM_F_FLAGS] = "18";
    expect_error(&r, TCPFSM_E_NOT_HEX, TCPFSM_F_FLAGS, "tcp.flags: not a hex number: \"18\"");
    /* TCPFSM_E_RANGE, text and numbers */
    good(&r);
    r.text[TCPFSM_F_SEQ_RAW] = "1099511627776";
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_SEQ_RAW,
                 "tcp.seq_raw: number out of range: \"1099511627776\"");
    good(&r);
    r.text[TCPFSM_F_SRCPORT] = "70000";
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_SRCPORT,
                 "tcp.srcport: number out of range: \"70000\"");
    good(&r);
    r.text[TCPFSM_F_FRAME_NUMBER] = "99999999999999999999999";
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_FRAME_NUMBER,
                 "frame.number: number out of range: \"99999999999999999999999\"");
    good(&r);
    r.text[TCPFSM_F_FLAGS] = "0x1000";
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_FLAGS, "tcp.flags: number out of range: \"0x1000\"");
    good(&r);
    set_uint(&r, TCPFSM_F_FLAGS, 0x1012);
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_FLAGS, "tcp.flags: number out of range: \"0x1012\"");
    good(&r);
    set_uint(&r, TCPFSM_F_DSTPORT, 65536);
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_DSTPORT, "tcp.dstport: number out of range: \"65536\"");
    good(&r);
    set_uint(&r, TCPFSM_F_CHECKSUM_STATUS, 4);
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_CHECKSUM_STATUS,
                 "tcp.checksum.status: number out of range: \"4\"");
    good(&r);
    r.text[TCPFSM_F_WINDOW_SIZE] = "4294967296";
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_WINDOW_SIZE,
                 "tcp.window_size: number out of range: \"4294967296\"");
    good(&r);
    r.text[TCPFSM_F_FRAME_CAP_LEN] = "4294967296";
    expect_error(&r, TCPFSM_E_RANGE, TCPFSM_F_FRAME_CAP_LEN,
                 "frame.cap_len: number out of range: \"4294967296\"");
    /* TCPFSM_E_NOT_TIME: text, and a TIME judged as its text */
    good(&r);
    r.text[TCPFSM_F_TIME_EPOCH] = "yesterday";
    expect_error(&r, TCPFSM_E_NOT_TIME, TCPFSM_F_TIME_EPOCH,
                 "frame.time_epoch: not a time in seconds: \"yesterday\"");
    good(&r);
    r.text[TCPFSM_F_TIME_EPOCH] = "-1.5";
    expect_error(&r, TCPFSM_E_NOT_TIME, TCPFSM_F_TIME_EPOCH,
                 "frame.time_epoch: not a time in seconds: \"-1.5\"");
    good(&r);
    r.text[TCPFSM_F_TIME_EPOCH] = "inf";
    expect_error(&r, TCPFSM_E_NOT_TIME, TCPFSM_F_TIME_EPOCH,
                 "frame.time_epoch: not a time in seconds: \"inf\"");
    good(&r);
    r.kind[TCPFSM_F_TIME_EPOCH] = TCPFSM_VAL_TIME;
    r.val[TCPFSM_F_TIME_EPOCH].time.secs = 5;
    r.val[TCPFSM_F_TIME_EPOCH].time.nsecs = -1;
    expect_error(&r, TCPFSM_E_NOT_TIME, TCPFSM_F_TIME_EPOCH,
                 "frame.time_epoch: not a time in seconds: \"-5.000000001\"");
    /* TCPFSM_E_NOT_ADDR */
    good(&r);
    r.text[TCPFSM_F_IP_DST] = "not-an-ip";
    expect_error(&r, TCPFSM_E_NOT_ADDR, TCPFSM_F_IP_DST, "ip.dst: not an address: \"not-an-ip\"");
    good(&r);
    r.kind[TCPFSM_F_IP_SRC] = TCPFSM_VAL_ADDR; /* family 0 */
    expect_error(&r, TCPFSM_E_NOT_ADDR, TCPFSM_F_IP_SRC, "ip.src: not an address");
    /* TCPFSM_E_FAMILY: an IPv6 address in ip.src, IPv4 in ipv6.dst */
    good(&r);
    r.text[TCPFSM_F_IP_SRC] = "2001:db8::1";
    expect_error(&r, TCPFSM_E_FAMILY, TCPFSM_F_IP_SRC,
                 "ip.src: wrong address family: \"2001:db8::1\"");
    good(&r);
    r.text[TCPFSM_F_IP_SRC] = r.text[TCPFSM_F_IP_DST] = NULL;
    r.text[TCPFSM_F_IPV6_SRC] = "2001:db8::1";
    r.kind[TCPFSM_F_IPV6_DST] = TCPFSM_VAL_ADDR;
    assert_true(tcpfsm_addr_parse("10.0.0.2", &r.val[TCPFSM_F_IPV6_DST].addr));
    expect_error(&r, TCPFSM_E_FAMILY, TCPFSM_F_IPV6_SRC,
                 "ipv6.src: wrong address family: \"2001:db8::1\"");
    /* TCPFSM_E_NO_IP */
    good(&r);
    r.text[TCPFSM_F_IP_SRC] = r.text[TCPFSM_F_IP_DST] = NULL;
    expect_error(&r, TCPFSM_E_NO_IP, TCPFSM_F_IP_SRC,
                 "ip.src: no IPv4 or IPv6 address on a TCP row");
    /* TCPFSM_E_KIND: a getter that gives an address for a port, a number
     * for frame.protocols */
    good(&r);
    r.kind[TCPFSM_F_DSTPORT] = TCPFSM_VAL_ADDR;
    assert_true(tcpfsm_addr_parse("10.0.0.9", &r.val[TCPFSM_F_DSTPORT].addr));
    expect_error(&r, TCPFSM_E_KIND, TCPFSM_F_DSTPORT,
                 "tcp.dstport: a value of the wrong kind for this field: \"10.0.0.9\"");
    good(&r);
    set_uint(&r, TCPFSM_F_PROTOCOLS, 1);
    expect_error(&r, TCPFSM_E_KIND, TCPFSM_F_PROTOCOLS,
                 "frame.protocols: a value of the wrong kind for this field: \"1\"");
    /* a long or odd value is cut and escaped in the message */
    good(&r);
    r.text[TCPFSM_F_IP_DST] = "a\"b\\c\td0123456789012345678901234567890123456789";
    expect_error(&r, TCPFSM_E_NOT_ADDR, TCPFSM_F_IP_DST,
                 "ip.dst: not an address: \"a\\x22b\\x5cc\\x09d012345678901234567890123456789012...\"");
}

/* the first failure in the documented order is the one reported */
static void test_order(void **state)
{
    (void)state;
    row r;
    good(&r);
    r.text[TCPFSM_F_SEQ_RAW] = NULL;
    r.text[TCPFSM_F_FLAGS] = "0xZZ";
    r.text[TCPFSM_F_IP_DST] = "bad";
    expect_error(&r, TCPFSM_E_EMPTY, TCPFSM_F_SEQ_RAW, "tcp.seq_raw: empty");
}

/* which occurrence the fill asks for: the last of each field, unless IP
 * headers follow the first tcp of frame.protocols (IP packets in the TCP
 * payload): then the first tcp.* and the ip.* that many before the last */
static void test_occurrence(void **state)
{
    (void)state;
    row r;
    tcpfsm_segment seg;
    good(&r);
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ip:tcp";
    assert_int_equal(tcpfsm_segment_fill(&seg, get, &r, NULL), 1);
    for (int f = 0; f < TCPFSM_F_COUNT; f++)
        assert_int_equal(r.occ[f], TCPFSM_OCC_LAST);
    good(&r);
    r.text[TCPFSM_F_PROTOCOLS] =
        "eth:ethertype:ip:tcp:openflow:openflow_v1:eth:ethertype:ip:tcp";
    assert_int_equal(tcpfsm_segment_fill(&seg, get, &r, NULL), 1);
    assert_int_equal(r.occ[TCPFSM_F_SRCPORT], TCPFSM_OCC_FIRST);
    assert_int_equal(r.occ[TCPFSM_F_SEQ_RAW], TCPFSM_OCC_FIRST);
    assert_int_equal(r.occ[TCPFSM_F_STREAM], TCPFSM_OCC_FIRST);
    assert_int_equal(r.occ[TCPFSM_F_IP_SRC], 1);
    assert_int_equal(r.occ[TCPFSM_F_IP_DST], 1);
    assert_int_equal(r.occ[TCPFSM_F_FRAME_NUMBER], TCPFSM_OCC_LAST);
    assert_int_equal(r.occ[TCPFSM_F_TIME_EPOCH], TCPFSM_OCC_LAST);
    int after[2] = {1, 0};
    assert_int_equal(tcpfsm_field_occurrence(TCPFSM_F_WINDOW_VALUE, after),
                     TCPFSM_OCC_FIRST);
    assert_int_equal(tcpfsm_field_occurrence(TCPFSM_F_IPV6_SRC, after), 0);
    /* an ICMP inside the TCP payload does not hide the segment; one
     * before the TCP header quotes it */
    good(&r);
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ip:tcp:of:eth:ethertype:ip:icmp:data";
    assert_int_equal(tcpfsm_segment_fill(&seg, get, &r, NULL), 1);
    good(&r);
    r.text[TCPFSM_F_PROTOCOLS] = "eth:ethertype:ip:icmp:ip:tcp";
    assert_int_equal(tcpfsm_segment_fill(&seg, get, &r, NULL), 0);
}

/* every code of the map has its own reason; 0 and unknown codes too */
static void test_strerror(void **state)
{
    (void)state;
    static const int codes[] = {
#define X(id, code, reason) code,
        TCPFSM_ERRNO_MAP(X)
#undef X
    };
    static const char *const reasons[] = {
#define X(id, code, reason) reason,
        TCPFSM_ERRNO_MAP(X)
#undef X
    };
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(codes[i] < 0);
        assert_string_equal(tcpfsm_strerror(codes[i]), reasons[i]);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(codes[i], codes[j]);
    }
    assert_string_equal(tcpfsm_strerror(0), "success");
    assert_string_equal(tcpfsm_strerror(-1000), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_text),
        cmocka_unit_test(test_good_typed),
        cmocka_unit_test(test_time_exact),
        cmocka_unit_test(test_not_segment),
        cmocka_unit_test(test_innermost),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_occurrence),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
