/* fill_inline.h - the body of tcpfsm_segment_fill() (tcpfsm_input.h), the
 * one place where the field values of a segment are checked.
 *
 * Internal (not installed).  It is an inline function so that a front end
 * on the per-packet path (tool/tsv.c, tool/pcapsrc.c) can have it
 * specialized for its getter: the getter, a static function passed by
 * name, is then inlined and its switch on the field id folds away.  Called
 * through a pointer (the exported tcpfsm_segment_fill) the same checks
 * cost the direct `tcpfsm summary` about 17% more instructions per packet
 * (16 indirect calls).  Everything not on the per-packet path (messages,
 * the slow time paths) is out of line in fill.c. */
#ifndef TCPFSM_FILL_INLINE_H
#define TCPFSM_FILL_INLINE_H

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "tcpfsm_input.h"

#define TCPFSM_FILL_INLINE static inline __attribute__((always_inline))

/* out of line, fill.c */
bool tcpfsm_fill_protocols_(const char *protocols, int *innermost,
                            int after[2]);
__attribute__((cold)) int tcpfsm_fill_fail_(tcpfsm_input_error *err, int code,
                                            int f, tcpfsm_value_kind k,
                                            const tcpfsm_value *v);
bool tcpfsm_fill_parse_time_(const char *t, double *out);
int tcpfsm_fill_time_slow_(int64_t secs, int32_t ns, double *out,
                           tcpfsm_input_error *err);

#define fail tcpfsm_fill_fail_

#define TRY(expr)                \
    do {                         \
        int rc_ = (expr);        \
        if (rc_ < 0)             \
            return rc_;          \
    } while (0)

/* The getter's answer; empty text is no value, as tshark's empty cell. */
TCPFSM_FILL_INLINE tcpfsm_value_kind
ask(tcpfsm_field_get_fn get, void *ctx, int f, int occ, tcpfsm_value *v)
{
    v->occurrence = occ;
    tcpfsm_value_kind k = get(ctx, f, v);
    return k == TCPFSM_VAL_TEXT && !v->text[0] ? TCPFSM_VAL_NONE : k;
}

/* ---- numbers ---- */

/* unsigned decimal, at most max (one pass: strtoull per cell was 5% of
 * a run); 0 or a TCPFSM_E_* code */
TCPFSM_FILL_INLINE int
parse_uint(const char *v, unsigned long long max,
                      unsigned long long *out)
{
    if (!*v)
        return TCPFSM_E_EMPTY;
    if (*v == '-')
        return TCPFSM_E_NEGATIVE;
    unsigned long long x = 0;
    const char *p = v;
    for (; *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d > 9)
            return TCPFSM_E_NOT_DECIMAL;
        x = x * 10 + d; /* wraps after 19 digits: checked below */
    }
    bool over = false;
    if (p - v > 19) {
        /* 20 digits or more: redo it the careful way */
        x = 0;
        for (const char *q = v; *q; q++) {
            unsigned d = (unsigned)(*q - '0');
            if (x > (ULLONG_MAX - d) / 10) {
                over = true;
                break;
            }
            x = x * 10 + d;
        }
    }
    if (over || x > max)
        return TCPFSM_E_RANGE;
    *out = x;
    return 0;
}

/* tcp.flags as tshark prints it: "0x" and hex digits, at most 0xfff */
TCPFSM_FILL_INLINE int
parse_flags(const char *v, unsigned long long *out)
{
    if (v[0] != '0' || (v[1] != 'x' && v[1] != 'X') || !v[2])
        return TCPFSM_E_NOT_HEX;
    unsigned long x = 0;
    for (const char *p = v + 2; *p; p++) {
        int d;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            return TCPFSM_E_NOT_HEX;
        x = x * 16 + (unsigned long)d;
        if (x > 0xfff)
            return TCPFSM_E_RANGE;
    }
    *out = x;
    return 0;
}

/* A number field's value, checked against max.  1 = a value in *out,
 * 0 = none (TCPFSM_VAL_NONE or ""), < 0 an error (err filled). */
TCPFSM_FILL_INLINE int
check_uint(int f, tcpfsm_value_kind k, const tcpfsm_value *v,
                      unsigned long long max, unsigned long long *out,
                      tcpfsm_input_error *err)
{
    int rc;
    switch (k) {
    case TCPFSM_VAL_NONE:
        return 0;
    case TCPFSM_VAL_TEXT:
        if (!*v->text)
            return 0;
        rc = f == TCPFSM_F_FLAGS ? parse_flags(v->text, out)
                                 : parse_uint(v->text, max, out);
        break;
    case TCPFSM_VAL_UINT:
        rc = v->u > max ? TCPFSM_E_RANGE : 0;
        *out = v->u;
        break;
    default:
        rc = TCPFSM_E_KIND;
        break;
    }
    return rc ? fail(err, rc, f, k, v) : 1;
}

TCPFSM_FILL_INLINE int
get_uint(tcpfsm_field_get_fn get, void *ctx, int f, int occ,
                    unsigned long long max, unsigned long long *out,
                    tcpfsm_input_error *err)
{
    tcpfsm_value v;
    tcpfsm_value_kind k = ask(get, ctx, f, occ, &v);
    return check_uint(f, k, &v, max, out, err);
}

/* A number the segment cannot do without: NONE is an error. */
TCPFSM_FILL_INLINE int
need_uint(tcpfsm_field_get_fn get, void *ctx, int f, int occ,
                     unsigned long long max, unsigned long long *out,
                     tcpfsm_input_error *err)
{
    int rc = get_uint(get, ctx, f, occ, max, out, err);
    return rc == 0 ? fail(err, TCPFSM_E_EMPTY, f, TCPFSM_VAL_NONE, NULL) : rc;
}

/* frame.time_epoch: 1 = *out set, 0 = none, < 0 an error */
TCPFSM_FILL_INLINE int get_time(tcpfsm_field_get_fn get, void *ctx,
                                double *out, tcpfsm_input_error *err)
{
    const int f = TCPFSM_F_TIME_EPOCH;
    tcpfsm_value v;
    tcpfsm_value_kind k = ask(get, ctx, f, TCPFSM_OCC_LAST, &v);
    if (k == TCPFSM_VAL_NONE)
        return 0;
    if (k == TCPFSM_VAL_TIME) {
        int64_t secs = v.time.secs;
        int32_t ns = v.time.nsecs;
        if (secs >= 0 && ns >= 0 && ns <= 999999999) {
            *out = tcpfsm_time_seconds((uint64_t)secs, (uint32_t)ns);
            return 1;
        }
        return tcpfsm_fill_time_slow_(secs, ns, out, err);
    }
    if (k != TCPFSM_VAL_TEXT)
        return fail(err, TCPFSM_E_KIND, f, k, &v);
    if (!tcpfsm_fill_parse_time_(v.text, out))
        return fail(err, TCPFSM_E_NOT_TIME, f, k, &v);
    return 1;
}

/* ---- addresses ---- */

/* 1 = *out set, 0 = none, < 0 an error */
TCPFSM_FILL_INLINE int
get_addr(tcpfsm_field_get_fn get, void *ctx, int f, int occ, tcpfsm_addr *out,
                    tcpfsm_value *v, tcpfsm_value_kind *kind,
                    tcpfsm_input_error *err)
{
    tcpfsm_value_kind k = *kind = ask(get, ctx, f, occ, v);
    switch (k) {
    case TCPFSM_VAL_NONE:
        return 0;
    case TCPFSM_VAL_TEXT:
        if (!*v->text)
            return 0;
        if (!tcpfsm_addr_parse(v->text, out))
            return fail(err, TCPFSM_E_NOT_ADDR, f, k, v);
        return 1;
    case TCPFSM_VAL_ADDR:
        if (v->addr.family != 4 && v->addr.family != 6)
            return fail(err, TCPFSM_E_NOT_ADDR, f, TCPFSM_VAL_NONE, NULL);
        *out = v->addr;
        return 1;
    default:
        return fail(err, TCPFSM_E_KIND, f, k, v);
    }
}

/* One address pair: 0 = no source address (try the other family), 1 =
 * both filled, < 0 an error */
TCPFSM_FILL_INLINE int addr_pair(tcpfsm_field_get_fn get, void *ctx, int fs,
                                 int fd, int occ, int family, tcpfsm_segment *seg,
                                 tcpfsm_input_error *err)
{
    tcpfsm_value av, bv;
    tcpfsm_value_kind ak, bk;
    int rc;
    TRY(rc = get_addr(get, ctx, fs, occ, &seg->src, &av, &ak, err));
    if (!rc)
        return 0;
    TRY(rc = get_addr(get, ctx, fd, occ, &seg->dst, &bv, &bk, err));
    if (!rc)
        return fail(err, TCPFSM_E_EMPTY, fd, TCPFSM_VAL_NONE, NULL);
    if (seg->src.family != family || seg->dst.family != family)
        return fail(err, TCPFSM_E_FAMILY, fs, ak, &av);
    return 1;
}

/* ---- the segment ---- */

/* The occurrence of field f that is the segment's (TCPFSM_OCC_*), after[]
 * from tcpfsm_fill_protocols_: the last of each field, unless IP headers
 * follow the TCP header (IP packets in its payload); then the first
 * tcp.* and, of ip.* / ipv6.*, the one as many before the last as IPv4 /
 * IPv6 headers follow (from the end: a source-routed IPv4 header has two
 * ip.dst). */
TCPFSM_FILL_INLINE int occurrence_of(int f, const int after[2])
{
    if (!after[0] && !after[1])
        return TCPFSM_OCC_LAST;
    switch (f) {
    case TCPFSM_F_STREAM:
    case TCPFSM_F_SRCPORT:
    case TCPFSM_F_DSTPORT:
    case TCPFSM_F_FLAGS:
    case TCPFSM_F_SEQ_RAW:
    case TCPFSM_F_ACK_RAW:
    case TCPFSM_F_LEN:
    case TCPFSM_F_WINDOW_VALUE:
    case TCPFSM_F_WINDOW_SIZE:
    case TCPFSM_F_CHECKSUM_STATUS:
        return TCPFSM_OCC_FIRST;
    case TCPFSM_F_IP_SRC:
    case TCPFSM_F_IP_DST:
        return after[0];
    case TCPFSM_F_IPV6_SRC:
    case TCPFSM_F_IPV6_DST:
        return after[1];
    default:
        return TCPFSM_OCC_LAST;
    }
}


/* tcpfsm_segment_fill(), see tcpfsm_input.h */
TCPFSM_FILL_INLINE int
tcpfsm_segment_fill_inline(tcpfsm_segment *seg, tcpfsm_field_get_fn get,
                           void *ctx, tcpfsm_input_error *err)
{
    tcpfsm_segment_init(seg);
    if (err)
        err->code = 0;
    /* frame.protocols first: it says which occurrence of each field is
     * the segment's.  A TCP header quoted in an ICMP error is not a
     * segment; the segment's TCP header is the first of the frame (its
     * payload may carry whole IP packets: OpenFlow, tunnels over TCP),
     * its addresses those of the innermost IP header before it. */
    int ip_first = 0, after[2] = {0, 0};
    bool segment = true;
    tcpfsm_value pv;
    tcpfsm_value_kind pk = ask(get, ctx, TCPFSM_F_PROTOCOLS, TCPFSM_OCC_LAST, &pv);
    if (pk == TCPFSM_VAL_TEXT)
        segment = tcpfsm_fill_protocols_(pv.text, &ip_first, after);
    /* the occurrences asked for (occurrence_of) */
    const int occ_tcp = occurrence_of(TCPFSM_F_SRCPORT, after);
    const int occ_v4 = occurrence_of(TCPFSM_F_IP_SRC, after);
    const int occ_v6 = occurrence_of(TCPFSM_F_IPV6_SRC, after);
    /* no tcp.srcport: not a TCP segment (passed through unlabelled) */
    tcpfsm_value sp;
    tcpfsm_value_kind spk = ask(get, ctx, TCPFSM_F_SRCPORT, occ_tcp, &sp);
    if (spk == TCPFSM_VAL_NONE)
        return 0;
    if (pk != TCPFSM_VAL_TEXT && pk != TCPFSM_VAL_NONE)
        return fail(err, TCPFSM_E_KIND, TCPFSM_F_PROTOCOLS, pk, &pv);
    if (!segment)
        return 0;

    unsigned long long v = 0;
    TRY(need_uint(get, ctx, TCPFSM_F_FRAME_NUMBER, TCPFSM_OCC_LAST, UINT64_MAX, &v, err));
    seg->frame = v;
    /* tcp.srcport, already asked for */
    int rc;
    TRY(check_uint(TCPFSM_F_SRCPORT, spk, &sp, 65535, &v, err));
    seg->sport = (uint16_t)v;
    TRY(need_uint(get, ctx, TCPFSM_F_DSTPORT, occ_tcp, 65535, &v, err));
    seg->dport = (uint16_t)v;
    TRY(need_uint(get, ctx, TCPFSM_F_SEQ_RAW, occ_tcp, UINT32_MAX, &v, err));
    seg->seq = (uint32_t)v;
    TRY(need_uint(get, ctx, TCPFSM_F_ACK_RAW, occ_tcp, UINT32_MAX, &v, err));
    seg->ack = (uint32_t)v;
    /* Wireshark leaves tcp.len out of a segment whose TCP header is cut
     * short ("Short segment"); such a segment carries no payload. */
    TRY(rc = get_uint(get, ctx, TCPFSM_F_LEN, occ_tcp, UINT32_MAX, &v, err));
    seg->len = rc ? (uint32_t)v : 0;
    TRY(need_uint(get, ctx, TCPFSM_F_FLAGS, occ_tcp, 0xfff, &v, err));
    seg->flags = (uint16_t)v;

    TRY(rc = get_uint(get, ctx, TCPFSM_F_STREAM, occ_tcp, INT64_MAX, &v, err));
    if (rc)
        seg->stream = (int64_t)v;
    double d;
    TRY(rc = get_time(get, ctx, &d, err));
    if (rc) {
        seg->time = d;
        seg->has_time = true;
    }
    /* the window the sender advertised, scaled when known (only a zero
     * window matters: Zeek's W letter) */
    TRY(rc = get_uint(get, ctx, TCPFSM_F_WINDOW_SIZE, occ_tcp, UINT32_MAX, &v, err));
    if (!rc)
        TRY(rc = get_uint(get, ctx, TCPFSM_F_WINDOW_VALUE, occ_tcp, UINT32_MAX, &v, err));
    if (rc) {
        seg->window = (uint32_t)v;
        seg->has_window = true;
    }
    TRY(rc = get_uint(get, ctx, TCPFSM_F_CHECKSUM_STATUS, occ_tcp, 3, &v, err));
    if (rc)
        seg->checksum = (int8_t)v;
    /* the payload bytes captured: tcp.len - (frame.len - frame.cap_len) */
    tcpfsm_value fv, cv;
    tcpfsm_value_kind fk = ask(get, ctx, TCPFSM_F_FRAME_LEN, TCPFSM_OCC_LAST, &fv);
    tcpfsm_value_kind ck = ask(get, ctx, TCPFSM_F_FRAME_CAP_LEN, TCPFSM_OCC_LAST, &cv);
    if (fk != TCPFSM_VAL_NONE && ck != TCPFSM_VAL_NONE) { /* both, or neither */
        unsigned long long flen = 0, clen = 0;
        TRY(rc = check_uint(TCPFSM_F_FRAME_LEN, fk, &fv, UINT32_MAX, &flen, err));
        int rc2;
        TRY(rc2 = check_uint(TCPFSM_F_FRAME_CAP_LEN, ck, &cv, UINT32_MAX, &clen, err));
        if (rc && rc2 && clen < flen) {
            int64_t got = (int64_t)seg->len - (int64_t)(flen - clen);
            seg->payload_caplen = got < 0 ? 0 : got;
        }
    }

    /* the addresses: the innermost IP header's pair, else IPv4 when
     * present, else IPv6 (two calls with constant field ids: inlined, the
     * getter's switch folds away) */
    if (ip_first == 6) {
        TRY(rc = addr_pair(get, ctx, TCPFSM_F_IPV6_SRC, TCPFSM_F_IPV6_DST, occ_v6, 6, seg, err));
        if (!rc)
            TRY(rc = addr_pair(get, ctx, TCPFSM_F_IP_SRC, TCPFSM_F_IP_DST, occ_v4, 4, seg, err));
    } else {
        TRY(rc = addr_pair(get, ctx, TCPFSM_F_IP_SRC, TCPFSM_F_IP_DST, occ_v4, 4, seg, err));
        if (!rc)
            TRY(rc = addr_pair(get, ctx, TCPFSM_F_IPV6_SRC, TCPFSM_F_IPV6_DST, occ_v6, 6, seg, err));
    }
    if (rc)
        return 1;
    return fail(err, TCPFSM_E_NO_IP, ip_first == 6 ? TCPFSM_F_IPV6_SRC : TCPFSM_F_IP_SRC,
                TCPFSM_VAL_NONE, NULL);
}

#undef fail
#undef TRY
#endif
