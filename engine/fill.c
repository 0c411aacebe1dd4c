/* fill.c - one input path: tcpfsm_segment_fill() (tcpfsm_input.h).
 *
 * The checks every front end applies to the field values of a segment
 * live in fill_inline.h and only there: the tool's TSV reader
 * (tool/tsv.c), the direct capture reader (tool/pcapsrc.c) and the
 * Wireshark plugin (plugin/packet-tcpfsm.c) each hand over their values
 * through a getter.  This file holds the exported function and the parts
 * that are not on the per-packet path (messages, the slow time paths). */
#include "fill_inline.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[TCPFSM_F_COUNT] = {
#define FILL_X_NAME(id, name, req) [TCPFSM_F_##id] = name,
    TCPFSM_INPUT_FIELDS(FILL_X_NAME)
#undef FILL_X_NAME
};

/* frame.protocols ("eth:ethertype:ipv6:ip:tcp"): false when the TCP header
 * is quoted inside an ICMP error (":icmp:" or ":icmpv6:" before the first
 * ":tcp"), which is not a segment; *innermost = 4 or 6 for the later of
 * ":ip:" and ":ipv6:" before the first ":tcp", 0 when the text names
 * neither; after[0] / after[1]: the ":ip" / ":ipv6" names after it (IP
 * packets inside the TCP payload).  The first name never counts. */
static bool classify_protocols(const char *p, int *innermost, int after[2]);

/* The last text classified, per thread: a capture's frame.protocols is
 * nearly always the same few texts, and the scan below was 2-4% of a
 * run (issue 14). */
#define PROTO_MEMO_MAX 120
static __thread struct {
    bool valid;
    size_t len;
    char text[PROTO_MEMO_MAX];
    int innermost, after[2];
    bool segment;
} proto_memo;

bool tcpfsm_fill_protocols_(const char *p, int *innermost, int after[2])
{
    size_t n = strnlen(p, PROTO_MEMO_MAX);
    if (proto_memo.valid && n == proto_memo.len && n < PROTO_MEMO_MAX &&
        memcmp(p, proto_memo.text, n) == 0) {
        *innermost = proto_memo.innermost;
        after[0] = proto_memo.after[0];
        after[1] = proto_memo.after[1];
        return proto_memo.segment;
    }
    bool seg = classify_protocols(p, innermost, after);
    if (n < PROTO_MEMO_MAX) {
        memcpy(proto_memo.text, p, n);
        proto_memo.len = n;
        proto_memo.valid = true;
        proto_memo.innermost = *innermost;
        proto_memo.after[0] = after[0];
        proto_memo.after[1] = after[1];
        proto_memo.segment = seg;
    }
    return seg;
}

static bool classify_protocols(const char *p, int *innermost, int after[2])
{
    *innermost = 0;
    after[0] = after[1] = 0;
    /* the first "tcp" name: the segment's TCP header */
    const char *tcp = NULL;
    for (const char *q = p; (q = strstr(q, ":tcp")) != NULL; q++) {
        if (q[4] == ':' || q[4] == '\0') {
            tcp = q;
            break;
        }
    }
    /* every other name that counts starts with 'i': jump from one to the
     * next (strchr is vectorized; a usual "eth:ethertype:ip:tcp" has one) */
    for (const char *q = p; (q = strchr(q, 'i')) != NULL; q++) {
        if (q == p || q[-1] != ':')
            continue;
        bool in_payload = tcp && q > tcp;
        if (q[1] == 'p') {
            int v = 0;
            if (q[2] == ':' || q[2] == '\0')
                v = 4;
            else if (q[2] == 'v' && q[3] == '6' && (q[4] == ':' || q[4] == '\0'))
                v = 6;
            if (v && in_payload)
                after[v == 6]++;
            else if (v && q[v == 4 ? 2 : 4] == ':')
                *innermost = v;
        } else if (!in_payload && q[1] == 'c' && q[2] == 'm' && q[3] == 'p' &&
                   (q[4] == ':' || (q[4] == 'v' && q[5] == '6' && q[6] == ':'))) {
            return false;
        }
    }
    return true;
}

bool tcpfsm_protocols_layers(const char *protocols, int *innermost, int after[2])
{
    return tcpfsm_fill_protocols_(protocols, innermost, after);
}

int tcpfsm_field_occurrence(int field, const int after[2])
{
    return occurrence_of(field, after);
}

/* ---- error values ---- */

/* at most 40 bytes of a bad value, control bytes, '"' and '\' escaped */
static void quote(char *dst, size_t size, const char *v)
{
    size_t o = 0;
    for (size_t i = 0; v[i] && o + 5 < size; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (i >= 40) {
            snprintf(dst + o, size - o, "...");
            return;
        }
        if (ch < 0x20 || ch == '"' || ch == '\\')
            o += (size_t)snprintf(dst + o, size - o, "\\x%02x", ch);
        else
            dst[o++] = (char)ch;
    }
    dst[o] = '\0';
}

/* The value as text for a message. */
static void value_text(int f, tcpfsm_value_kind k, const tcpfsm_value *v,
                       char *buf, size_t size)
{
    char tmp[64];
    const char *t = "";
    switch (k) {
    case TCPFSM_VAL_TEXT:
        t = v->text;
        break;
    case TCPFSM_VAL_UINT:
        snprintf(tmp, sizeof tmp, f == TCPFSM_F_FLAGS ? "0x%04" PRIx64 : "%" PRIu64,
                 v->u);
        t = tmp;
        break;
    case TCPFSM_VAL_ADDR:
        t = tcpfsm_addr_str(&v->addr, tmp, sizeof tmp);
        break;
    case TCPFSM_VAL_TIME:
        snprintf(tmp, sizeof tmp, "%" PRId64 ".%09" PRId32, v->time.secs,
                 v->time.nsecs);
        t = tmp;
        break;
    default:
        break;
    }
    quote(buf, size, t);
}

int tcpfsm_fill_fail_(tcpfsm_input_error *err, int code, int f, tcpfsm_value_kind k,
                const tcpfsm_value *v)
{
    if (err) {
        err->code = code;
        err->field = f;
        err->value[0] = '\0';
        if (k != TCPFSM_VAL_NONE && v)
            value_text(f, k, v, err->value, sizeof err->value);
    }
    return code;
}

char *tcpfsm_input_error_str(const tcpfsm_input_error *err, char *buf,
                             size_t size)
{
    const char *name = err->field >= 0 && err->field < TCPFSM_F_COUNT
                           ? field_names[err->field]
                           : "?";
    if (err->value[0])
        snprintf(buf, size, "%s: %s: \"%s\"", name, tcpfsm_strerror(err->code),
                 err->value);
    else
        snprintf(buf, size, "%s: %s", name, tcpfsm_strerror(err->code));
    return buf;
}

/* ---- time ---- */

/* The time of frame.time_epoch ("1700000000.000004000"): digits, a point,
 * digits.  When its digits without the trailing zeros fit in 2^53, one
 * division by an exact power of ten gives the correctly rounded double,
 * the same as strtod (Clinger's fast path); false: use strtod. */
static bool fast_time(const char *t, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                 1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
                                 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = t;
    uint64_t m = 0;
    int frac = 0, zeros = 0;
    while (*p >= '0' && *p <= '9') {
        if (m > (UINT64_C(1) << 53))
            return false;
        m = m * 10 + (uint64_t)(*p - '0');
        p++;
    }
    bool any = p != t;
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++) {
            any = true;
            if (*p == '0') {
                zeros++; /* held back: trailing zeros change nothing */
                continue;
            }
            for (; zeros; zeros--) {
                if (m > (UINT64_C(1) << 53))
                    return false;
                m *= 10;
                frac++;
            }
            if (m > (UINT64_C(1) << 53))
                return false;
            m = m * 10 + (uint64_t)(*p - '0');
            frac++;
        }
    }
    if (*p || !any || m > (UINT64_C(1) << 53) || frac > 22)
        return false;
    *out = (double)m / p10[frac];
    return true;
}

/* frame.time_epoch as text: a finite number of seconds >= 0 */
bool tcpfsm_fill_parse_time_(const char *t, double *out)
{
    if (fast_time(t, out))
        return true;
    char *endp;
    errno = 0;
    double d = strtod(t, &endp);
    if (*endp || errno == ERANGE || !isfinite(d) || d < 0)
        return false;
    *out = d;
    return true;
}

static double strtod_fallback(uint64_t sec, uint32_t ns)
{
    char b[48];
    snprintf(b, sizeof b, "%" PRIu64 ".%09" PRIu32, sec, ns);
    return strtod(b, NULL);
}

/* sec + ns / 1e9 rounded to the nearest double, ties to even: the value
 * strtod() gives for the frame.time_epoch text, without parsing.  Starts
 * from an estimate and checks it against the midpoints to its neighbours
 * in exact 128-bit integer arithmetic. */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;
double tcpfsm_time_seconds(uint64_t sec, uint32_t ns)
{
    if (ns > 999999999u)
        return strtod_fallback(sec, ns);
    /* a whole number of microseconds (pcap's usual resolution) whose
     * count fits in 2^53: both it and 1e6 are exact doubles, so the one
     * division rounds correctly (Clinger's fast path) */
    if (ns % 1000 == 0 && sec < UINT64_C(9000000000))
        return (double)(sec * 1000000 + ns / 1000) / 1e6;
    u128 n = (u128)sec * 1000000000u + ns;
    double d = (double)sec + (double)ns / 1e9;
    for (int iter = 0; iter < 8; iter++) {
        int e;
        double fr = frexp(d, &e);             /* d = fr * 2^e */
        uint64_t m = (uint64_t)ldexp(fr, 53); /* d = m * 2^(e-53) */
        int ex = e - 53;
        if (ex < -110 || ex > 60)
            break;
        /* 4 * n * 2^-ex against the midpoints (4m + 2) and (4m - 2), or
         * (4m - 1) just above a power of two, times 1e9 */
        u128 up = (u128)(4 * m + 2) * 1000000000u;
        u128 lo = (u128)(4 * m - (m == (1ull << 52) ? 1 : 2)) * 1000000000u;
        u128 lhs = n << 2;
        if (ex <= 0) {
            lhs <<= -ex;
        } else {
            up <<= ex;
            lo <<= ex;
        }
        if (lhs > up || (lhs == up && (m & 1))) {
            d = nextafter(d, INFINITY);
            continue;
        }
        if (lhs < lo || (lhs == lo && (m & 1))) {
            d = nextafter(d, 0.0);
            continue;
        }
        return d;
    }
    return strtod_fallback(sec, ns);
}
#else
double tcpfsm_time_seconds(uint64_t sec, uint32_t ns)
{
    return strtod_fallback(sec, ns);
}
#endif

/* A TIME value out of the usual range, judged as the text tshark prints
 * for it ("%lld.%09d") */
int tcpfsm_fill_time_slow_(int64_t secs, int32_t ns, double *out,
                           tcpfsm_input_error *err)
{
    char buf[64];
    if (ns < 0 && secs >= 0)
        snprintf(buf, sizeof buf, "-%" PRId64 ".%09" PRId64, secs, -(int64_t)ns);
    else
        snprintf(buf, sizeof buf, "%" PRId64 ".%09" PRId64, secs,
                 ns < 0 ? -(int64_t)ns : (int64_t)ns);
    if (tcpfsm_fill_parse_time_(buf, out))
        return 1;
    tcpfsm_value tv = {.text = buf};
    return tcpfsm_fill_fail_(err, TCPFSM_E_NOT_TIME, TCPFSM_F_TIME_EPOCH,
                             TCPFSM_VAL_TEXT, &tv);
}

int tcpfsm_segment_fill(tcpfsm_segment *seg, tcpfsm_field_get_fn get,
                        void *ctx, tcpfsm_input_error *err)
{
    return tcpfsm_segment_fill_inline(seg, get, ctx, err);
}
