/* pcapsrc.c - read pcap/pcapng files directly and produce the segments the
 * tshark path (`tcpfsm fields` export read by tsv.c) would produce.
 *
 * Reading: libpcap.  pcap_fopen_offline_with_tstamp_precision() reads pcap
 * (us and ns) and pcapng, and with PCAP_TSTAMP_PRECISION_NANO gives the
 * nanosecond time stamps frame.time_epoch prints.  It is the standard
 * reader, fast (pcapsrc decodes the packet in libpcap's buffer, without a
 * copy; ~4.5M packets/s here, decoding included), and installed wherever
 * tcpdump is.  Where libpcap and Wireshark's wiretap disagree, pcapsrc
 * notices and says so instead of guessing:
 *   - libpcap cuts a record longer than the file's snapshot length down to
 *     it (wiretap keeps it whole): seen from the file position, reported as
 *     PCAPSRC_UNSUPPORTED;
 *   - wiretap guesses the record format of a standard-magic pcap from its
 *     first three records (standard, SS990417, Nokia); pcapsrc makes the
 *     same guess at open and reports *unsupported unless it is the standard
 *     format; modified-magic and pre-2.4 pcap files likewise;
 *   - wiretap takes a pcap time stamp's seconds as unsigned and its
 *     microseconds times 1000 in 32 bits (an int, printed with a minus sign
 *     when negative, with more than nine digits when >= 1e9): pcapsrc
 *     rebuilds those values from libpcap's; tsv rejects a negative time on
 *     a TCP row (PCAPSRC_BAD_ROW);
 *   - Wireshark clips frame.len at INT_MAX; a record whose captured length
 *     exceeds its original length is PCAPSRC_UNSUPPORTED;
 *   - pcapng: libpcap skips custom, systemd-journal and sysdig blocks,
 *     which Wireshark numbers as frames.  pcapsrc reads the block headers
 *     libpcap skipped (only when the bytes consumed are not exactly one
 *     packet block) and returns a custom block as a frame that is not TCP
 *     (tshark prints it with no time); systemd-journal / sysdig blocks are
 *     PCAPSRC_UNSUPPORTED;
 *   - libpcap rejects a pcapng interface whose link type differs from the
 *     first interface's: PCAPSRC_UNSUPPORTED;
 *   - gzip-compressed files and formats libpcap does not read: *unsupported
 *     at open.
 *
 * Decoding: pcap_decode.c (what tshark prints in the cases that matter,
 * and the frames reported PCAPSRC_UNSUPPORTED); reassembly: pcap_reasm.c;
 * tcp.stream numbering and window scales: pcap_conv.c.
 *
 * Memory is bounded: the conversation table keeps at most
 * PCAPSRC_MAX_CONVS conversations (about 50 bytes each for IPv4 with their
 * table slots, 75 for IPv6) and forgets one not used lately (a clock)
 * beyond that (tshark never forgets: a segment of
 * an evicted conversation whose scale was known would then print
 * unscaled, and its 4-tuple would get a new stream number); the
 * reassembly table keeps at most PCAPSRC_MAX_FRAGS
 * datagrams / PCAPSRC_MAX_FRAG_BYTES bytes in progress, oldest dropped
 * first. */
#include "pcapsrc_int.h"

#include "fill_inline.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

/* wiretap (libpcap.c) guesses the record format of a pcap file with the
 * standard magic number from its first three records: with the standard
 * format unless a record looks wrong.  Mirrors that guess; returns the
 * time stamp precision (1 us, 2 ns) when tshark reads the file as libpcap
 * does, 0 when it is not a pcap file (libpcap decides), -1 when tshark may
 * read the records differently (why says so). */
static int pcap_variant_check(int fd, uint64_t file_size, char *why, size_t whysize)
{
    uint8_t h[24];
    if (pread(fd, h, 24, 0) != 24)
        return 0;
    uint32_t magic;
    memcpy(&magic, h, 4);
    bool swapped;
    int prec;
    switch (magic) {
    case 0xa1b2c3d4u: swapped = false; prec = 1; break;
    case 0xd4c3b2a1u: swapped = true; prec = 1; break;
    case 0xa1b23c4du: swapped = false; prec = 2; break;
    case 0x4d3cb2a1u: swapped = true; prec = 2; break;
    case 0xa1b2cd34u:
    case 0x34cdb2a1u:
        snprintf(why, whysize, "a modified-libpcap capture (tshark guesses its record format)");
        return -1;
    default:
        return 0;
    }
#define SW32(v) (swapped ? __builtin_bswap32(v) : (v))
    uint16_t vmaj, vmin;
    memcpy(&vmaj, h + 4, 2);
    memcpy(&vmin, h + 6, 2);
    if (swapped) {
        vmaj = __builtin_bswap16(vmaj);
        vmin = __builtin_bswap16(vmin);
    }
    if (vmaj != 2 || vmin != 4) {
        snprintf(why, whysize, "pcap version %u.%u (tshark may swap the length fields)",
                 vmaj, vmin);
        return -1;
    }
    if (prec == 2)
        return 2; /* no guessing for nanosecond files */
    uint32_t snaplen;
    memcpy(&snaplen, h + 16, 4);
    snaplen = SW32(snaplen);
    /* the variants with this magic: standard (16-byte record headers),
     * SS990417 (24), Nokia (20); the one whose first records look least
     * wrong wins, the first one on a tie */
    static const int hlen[3] = {16, 24, 20};
    int best = 0, best_merit = 0;
    for (int v = 0; v < 3; v++) {
        int merit = 0;
        uint64_t pos = 24;
        for (int i = 0; i < 3 && !merit; i++) {
            uint8_t r[24];
            ssize_t n = pread(fd, r, (size_t)hlen[v], (off_t)pos);
            if (n == 0)
                break;
            if (n < hlen[v]) {
                merit = 1;
                break;
            }
            uint32_t f[4];
            memcpy(f, r, 16);
            uint32_t usec = SW32(f[1]), incl = SW32(f[2]), orig = SW32(f[3]);
            merit += usec >= 1000000;
            merit += incl > 262144;
            merit += orig > 128u * 1024 * 1024;
            merit += incl > snaplen;
            merit += incl > orig;
            if (merit)
                break;
            pos += (uint64_t)hlen[v] + incl;
            if (pos > file_size)
                merit = 1;
        }
        if (v == 0 && merit == 0)
            return 1;
        if (v == 0 || merit < best_merit) {
            best = v;
            best_merit = merit;
        }
    }
#undef SW32
    if (best != 0) {
        snprintf(why, whysize, "its first records do not look like standard pcap records "
                 "(tshark guesses another record format)");
        return -1;
    }
    return 1;
}

pcapsrc *pcapsrc_open(const char *path, bool *unsupported_out, char *err,
                      size_t errsize)
{
    bool dummy;
    if (!unsupported_out)
        unsupported_out = &dummy;
    *unsupported_out = false;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errsize, "%s", strerror(errno));
        return NULL;
    }
    pcapsrc *p = calloc(1, sizeof *p);
    if (!p) {
        fclose(fp);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    p->fp = fp;
    p->fd = fileno(fp);
    p->window_value = -1;
    struct stat st;
    if (fstat(p->fd, &st) == 0)
        p->file_size = (uint64_t)st.st_size;
    setvbuf(fp, NULL, _IOFBF, FILE_BUFFER);
    unsigned char magic[4] = {0};
    size_t got = fread(magic, 1, 4, fp);
    if (fseeko(fp, 0, SEEK_SET) != 0) {
        snprintf(err, errsize, "%s", strerror(errno));
        goto fail;
    }
    if (got == 4 && magic[0] == 0x1f && magic[1] == 0x8b) {
        snprintf(err, errsize, "gzip-compressed capture (not read directly)");
        *unsupported_out = true;
        goto fail;
    }
    p->pcapng = got == 4 && !memcmp(magic, "\x0a\x0d\x0d\x0a", 4);
    if (!p->pcapng && got == 4) {
        char why[160] = "";
        p->tsprec = pcap_variant_check(p->fd, p->file_size, why, sizeof why);
        if (p->tsprec < 0) {
            snprintf(err, errsize, "%s", why);
            *unsupported_out = true;
            goto fail;
        }
        /* the link-type field's FCS-length bits (wiretap: in 16-bit units,
         * then bytes) */
        uint8_t h[24];
        if (p->tsprec > 0 && pread(p->fd, h, 24, 0) == 24) {
            uint32_t lt, m;
            memcpy(&lt, h + 20, 4);
            memcpy(&m, h, 4);
            if (m == 0xd4c3b2a1u || m == 0x4d3cb2a1u)
                lt = __builtin_bswap32(lt);
            if (lt & 0x04000000u) {
                uint32_t bits = ((lt & 0xf0000000u) >> 28) * 16;
                p->eth_fcs = bits < 8 ? bits : bits / 8;
            }
        }
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    p->pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!p->pc) {
        snprintf(err, errsize, "%s", ebuf[0] ? ebuf : "not a pcap or pcapng file");
        /* it opens, but libpcap cannot read it: tshark may */
        *unsupported_out = true;
        goto fail;
    }
    p->dlt = pcap_datalink(p->pc);
    if (!pcs_dlt_supported(p->dlt)) {
        const char *name = pcap_datalink_val_to_name(p->dlt);
        snprintf(err, errsize, "link type %d (%s) is not decoded directly", p->dlt,
                 name ? name : "unknown");
        *unsupported_out = true;
        pcap_close(p->pc); /* closes fp */
        free(p);
        return NULL;
    }
    p->pos = ftello(fp);
    if (p->pcapng) {
        /* libpcap has read past the section header, up to the first
         * interface; the blocks after the section header are walked on
         * the first packet (a custom block there is a frame for tshark) */
        uint8_t shb[12];
        if (pread(p->fd, shb, 12, 0) == 12) {
            uint32_t bom, len;
            memcpy(&bom, shb + 8, 4);
            p->ng_swapped = bom != 0x1a2b3c4d;
            memcpy(&len, shb + 4, 4);
            if (p->ng_swapped)
                len = __builtin_bswap32(len);
            if (len >= 28 && (int64_t)len <= p->pos)
                p->pos = len;
        }
    }
    p->snapshot = (uint32_t)pcap_snapshot(p->pc);
    if (!p->pcapng && p->tsprec > 0) {
        /* our byte order, version 2.4, a link type libpcap does not
         * rewrite (pcap_post_process: USB only when not swapped) */
        uint8_t h[8];
        uint32_t m;
        uint16_t maj, min;
        if (pread(p->fd, h, 8, 0) == 8) {
            memcpy(&m, h, 4);
            memcpy(&maj, h + 4, 2);
            memcpy(&min, h + 6, 2);
            p->fast = (m == 0xa1b2c3d4u || m == 0xa1b23c4du) && maj == 2 &&
                      min == 4 && p->dlt != 189 && p->dlt != 220 &&
                      (p->rbuf = malloc(FILE_BUFFER)) != NULL;
            p->rbuf_off = p->pos;
        }
    }
    pcs_conv_init(&p->convs);
    pcs_frag_free_all(&p->frags); /* an empty table */
    return p;
fail:
    fclose(fp);
    free(p);
    return NULL;
}

pcapsrc *pcapsrc_open_live(struct pcap *pc, bool nano, char *err, size_t errsize)
{
    int dlt = pcap_datalink(pc);
    if (!pcs_dlt_supported(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        snprintf(err, errsize, "link type %d (%s) is not decoded directly", dlt,
                 name ? name : "unknown");
        return NULL;
    }
    pcapsrc *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    pcs_conv_init(&p->convs);
    p->pc = pc;
    p->fd = -1;
    p->live = true;
    p->dlt = dlt;
    p->tsprec = nano ? 0 : 1;
    p->window_value = -1;
    p->snapshot = (uint32_t)pcap_snapshot(pc);
    return p;
}

void pcapsrc_set_follow(pcapsrc *p, bool follow) { p->follow = follow; }

/* follow: the next record is all in the file (its length read ahead) */
static bool record_written(pcapsrc *p)
{
    struct stat st;
    uint8_t h[16];
    if (fstat(p->fd, &st) != 0 || pread(p->fd, h, 16, p->pos) != 16)
        return false;
    uint32_t len;
    if (p->pcapng) {
        memcpy(&len, h + 4, 4);
        if (p->ng_swapped)
            len = __builtin_bswap32(len);
    } else {
        uint32_t m;
        memcpy(&len, h + 8, 4);
        if (pread(p->fd, &m, 4, 0) == 4 && (m == 0xd4c3b2a1u || m == 0x4d3cb2a1u))
            len = __builtin_bswap32(len);
        len += 16;
    }
    if ((int64_t)st.st_size < p->pos + (int64_t)len)
        return false;
    clearerr(p->fp); /* stdio keeps an end of file it met */
    return true;
}

void pcapsrc_close(pcapsrc *p)
{
    if (!p)
        return;
    if (p->pc)
        pcap_close(p->pc);
    pcs_conv_free(&p->convs);
    pcs_frag_free_all(&p->frags);
    free(p->custom_len);
    free(p->rbuf);
    for (int i = 0; i < p->nreasm; i++)
        free(p->reasm_bufs[i]);
    free(p);
}

uint64_t pcapsrc_bytes_read(const pcapsrc *p)
{
    return p->pos > 0 ? (uint64_t)p->pos : 0;
}
uint64_t pcapsrc_file_size(const pcapsrc *p) { return p->file_size; }
void pcapsrc_set_checksums(pcapsrc *p, bool check) { p->check_checksums = check; }

void pcapsrc_set_stream_rule_cb(pcapsrc *p, int (*cb)(void *ctx), void *ctx)
{
    p->stream_rule_cb = cb;
    p->stream_rule_ctx = ctx;
}

int pcs_stream_rule(pcapsrc *p)
{
    if (!p->stream_rule) {
        int r = p->stream_rule_cb ? p->stream_rule_cb(p->stream_rule_ctx) : 42;
        p->stream_rule = r == 40 ? 40 : 42;
    }
    return p->stream_rule;
}

bool pcapsrc_frame_len(const pcapsrc *p, uint32_t *len, uint32_t *caplen)
{
    if (!(p->present & F(FRAME_LEN)))
        return false;
    if (len)
        *len = p->frame_len;
    if (caplen)
        *caplen = p->frame_caplen;
    return true;
}
uint64_t pcapsrc_frames(const pcapsrc *p) { return p->frame; }
uint32_t pcapsrc_present(const pcapsrc *p) { return p->present; }
static const char *time_text(pcapsrc *p);
/* the text is a cache, made on the first call: p is never a const
 * object (pcapsrc_open allocates it) */
const char *pcapsrc_time_str(const pcapsrc *p) { return time_text((pcapsrc *)p); }
int32_t pcapsrc_window_value(const pcapsrc *p) { return p->window_value; }
int64_t pcapsrc_stream(const pcapsrc *p) { return p->stream; }
const char *pcapsrc_protocols(const pcapsrc *p) { return p->protocols; }
bool pcapsrc_truncated(const pcapsrc *p) { return p->truncated; }

void pcapsrc_addrs(const pcapsrc *p, tcpfsm_addr *ip_src, tcpfsm_addr *ip_dst,
                   tcpfsm_addr *ipv6_src, tcpfsm_addr *ipv6_dst)
{
    if (ip_src)
        *ip_src = p->ip_src;
    if (ip_dst)
        *ip_dst = p->ip_dst;
    if (ipv6_src)
        *ipv6_src = p->ip6_src;
    if (ipv6_dst)
        *ipv6_dst = p->ip6_dst;
}

static uint32_t ng32(const pcapsrc *p, const uint8_t *b)
{
    uint32_t v;
    memcpy(&v, b, 4);
    return p->ng_swapped ? __builtin_bswap32(v) : v;
}

/* pcapng: libpcap consumed [p->pos, now) for one packet block.  When that
 * is more than the packet block alone, walk the block headers: blocks
 * Wireshark numbers as frames that libpcap skipped come first.
 * Returns 0 = fine (*custom = custom blocks to return first), -1 = a
 * block type pcapsrc does not reproduce (msg set), -2 = read error. */
static int ng_scan(pcapsrc *p, int64_t from, int64_t to, uint32_t caplen,
                   char *msg, size_t msgsize)
{
    p->ncustom = p->custom_next = 0;
    int64_t pos = from;
    while (pos < to) {
        uint8_t h[28];
        ssize_t n = pread(p->fd, h, sizeof h, pos);
        if (n < 12)
            return -2;
        uint32_t type, len;
        memcpy(&type, h, 4);
        if (type == 0x0a0d0d0a) {
            /* a new section: its byte-order magic decides */
            uint32_t bom;
            memcpy(&bom, h + 8, 4);
            p->ng_swapped = bom != 0x1a2b3c4d;
        }
        type = ng32(p, h);
        len = ng32(p, h + 4);
        if (len < 12 || (len & 3))
            return -2;
        bool last = pos + len >= to;
        if (last)
            p->last_spb = type == 0x00000003;
        switch (type) {
        case 0x00000bad:
        case 0x40000bad:
            if (p->ncustom == p->custom_cap) {
                uint32_t nc = p->custom_cap ? p->custom_cap * 2 : 16;
                uint32_t *nl = realloc(p->custom_len, nc * sizeof *nl);
                if (!nl)
                    return -2;
                p->custom_len = nl;
                p->custom_cap = nc;
            }
            /* wiretap: the custom data after the PEN (block - 16 bytes) */
            p->custom_len[p->ncustom++] = len >= 16 ? len - 16 : 0;
            break;
        case 0x00000009:
        case 0x00000204:
        case 0x00000216:
        case 0x00000221:
            snprintf(msg, msgsize, "pcapng block type 0x%08x (a frame for tshark)", type);
            return -1;
        case 0x00000006: /* EPB: captured length at +20 */
            if (last && n >= 24 && ng32(p, h + 20) != caplen) {
                snprintf(msg, msgsize, "packet longer than the interface's snapshot length");
                return -1;
            }
            break;
        case 0x00000002: /* obsolete PB: captured length at +16 */
            if (last && n >= 20 && ng32(p, h + 16) != caplen) {
                snprintf(msg, msgsize, "packet longer than the interface's snapshot length");
                return -1;
            }
            break;
        default:
            break;
        }
        pos += len;
    }
    return 0;
}

/* frame.time_epoch text: display_signed_time(..., TO_STR_TIME_RES_T_NSECS),
 * "%lld.%09d" */
static void format_time(pcapsrc *p, int64_t sec, long nsec)
{
    if (sec < 0 || nsec < 0 || nsec >= 1000000000) {
        if (nsec < 0 && sec >= 0)
            snprintf(p->time_str, sizeof p->time_str, "-%" PRId64 ".%09ld", sec, -nsec);
        else
            snprintf(p->time_str, sizeof p->time_str, "%" PRId64 ".%09ld", sec,
                     nsec < 0 ? -nsec : nsec);
        return;
    }
    /* right to left, two digits at a time */
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "34353637383940414243444546474849505152535455565758596061626364656667"
        "6869707172737475767778798081828384858687888990919293949596979899";
    char buf[40];
    char *o = buf + sizeof buf;
    *--o = '\0';
    uint32_t f = (uint32_t)nsec;
    for (int i = 0; i < 4; i++) {
        o -= 2;
        memcpy(o, pairs + 2 * (f % 100), 2);
        f /= 100;
    }
    *--o = (char)('0' + f);
    *--o = '.';
    uint64_t v = (uint64_t)sec;
    while (v >= 100) {
        o -= 2;
        memcpy(o, pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        o -= 2;
        memcpy(o, pairs + 2 * v, 2);
    } else {
        *--o = (char)('0' + v);
    }
    memcpy(p->time_str, o, (size_t)(buf + sizeof buf - o));
}

/* the frame's time text, made when first asked for (only some columns
 * print it; it was about 7% of a `summary`'s instructions): "" when the
 * frame has no time stamp */
static const char *time_text(pcapsrc *p)
{
    if (p->time_pending) {
        p->time_pending = false;
        format_time(p, p->ts_sec, p->ts_nsec);
    }
    return p->time_str;
}

/* seg->time of a frame tcpfsm_segment_fill() did not read: the double
 * of the frame.time_epoch text */
static void frame_time(pcapsrc *p, tcpfsm_segment *seg)
{
    if (!(p->present & F(TIME_EPOCH)))
        return;
    long ns = p->ts_nsec;
    seg->time = p->ts_sec >= 0 && ns >= 0 && ns <= 999999999
                    ? tcpfsm_time_seconds((uint64_t)p->ts_sec, (uint32_t)ns)
                    : strtod(time_text(p), NULL);
    seg->has_time = true;
}

/* The getter tcpfsm_segment_fill() asks: the columns tshark prints for
 * the frame (p->present), from the decoded TCP header (raw) and the
 * frame; tcp.stream is left to the caller (pcapsrc_stream). */
typedef struct fill_ctx {
    pcapsrc *p;
    const tcpfsm_segment *raw;
    bool one_ip;  /* one IP header, then TCP: frame.protocols says nothing
                     tcpfsm_segment_fill() needs (below) */
} fill_ctx;

static tcpfsm_value_kind fill_get(void *ctx, int f, tcpfsm_value *v)
{
    const fill_ctx *g = ctx;
    pcapsrc *p = g->p;
    const tcpfsm_segment *raw = g->raw;
    if (f == TCPFSM_F_PROTOCOLS) {
        /* With one IP header before the TCP header, frame.protocols
         * ("eth:ethertype:ip:tcp") tells tcpfsm_segment_fill() no more
         * than no value does: no ICMP error quotes the TCP header (its IP
         * header would be a second one), no IP header follows it (the
         * decoder stops at TCP), and the other family's addresses are
         * absent, so the order in which the two families are tried does
         * not matter.  Leaving it out saves the text's scan on nearly
         * every packet. */
        if (g->one_ip)
            return TCPFSM_VAL_NONE;
        v->text = p->protocols;
        return TCPFSM_VAL_TEXT;
    }
    if (!(p->present & (1u << f)))
        return TCPFSM_VAL_NONE;
    switch (f) {
    case TCPFSM_F_FRAME_NUMBER: v->u = raw->frame; break;
    case TCPFSM_F_TIME_EPOCH:
        if (p->ts_sec < 0 || p->ts_nsec < 0 || p->ts_nsec > 999999999) {
            v->text = time_text(p); /* judged as the text tshark prints */
            return TCPFSM_VAL_TEXT;
        }
        v->time.secs = p->ts_sec;
        v->time.nsecs = (int32_t)p->ts_nsec;
        return TCPFSM_VAL_TIME;
    /* memcpy: copied as whole words, not a byte store then a 16-byte load
     * of the same bytes (a store-forwarding stall: perf put 1.3% of a
     * summary's samples on it) */
    case TCPFSM_F_IP_SRC: memcpy(&v->addr, &p->ip_src, sizeof v->addr); return TCPFSM_VAL_ADDR;
    case TCPFSM_F_IP_DST: memcpy(&v->addr, &p->ip_dst, sizeof v->addr); return TCPFSM_VAL_ADDR;
    case TCPFSM_F_IPV6_SRC: memcpy(&v->addr, &p->ip6_src, sizeof v->addr); return TCPFSM_VAL_ADDR;
    case TCPFSM_F_IPV6_DST: memcpy(&v->addr, &p->ip6_dst, sizeof v->addr); return TCPFSM_VAL_ADDR;
    case TCPFSM_F_SRCPORT: v->u = raw->sport; break;
    case TCPFSM_F_DSTPORT: v->u = raw->dport; break;
    case TCPFSM_F_FLAGS: v->u = raw->flags; break;
    case TCPFSM_F_SEQ_RAW: v->u = raw->seq; break;
    case TCPFSM_F_ACK_RAW: v->u = raw->ack; break;
    case TCPFSM_F_LEN: v->u = raw->len; break;
    case TCPFSM_F_WINDOW_VALUE: v->u = (uint64_t)p->window_value; break;
    case TCPFSM_F_WINDOW_SIZE: v->u = raw->window; break;
    case TCPFSM_F_CHECKSUM_STATUS: v->u = (uint64_t)raw->checksum; break;
    case TCPFSM_F_FRAME_LEN: v->u = p->frame_len; break;
    case TCPFSM_F_FRAME_CAP_LEN: v->u = p->frame_caplen; break;
    default: return TCPFSM_VAL_NONE; /* tcp.stream */
    }
    return TCPFSM_VAL_UINT;
}

/* the fast path's next record, whole in rbuf (false: libpcap reads it -
 * the end of the file, a short or oversized record) */
static bool fast_record(pcapsrc *p, struct pcap_pkthdr **hdr, const u_char **data)
{
    int64_t at = p->pos - p->rbuf_off;
    if (at < 0 || at > (int64_t)p->rbuf_len) {
        p->rbuf_off = p->pos;
        p->rbuf_len = 0;
        at = 0;
    }
    uint32_t rec[4];
    for (int pass = 0;; pass++) {
        size_t have = p->rbuf_len - (size_t)at;
        if (have >= 16) {
            memcpy(rec, p->rbuf + at, 16);
            if (rec[2] > p->snapshot || rec[2] > FILE_BUFFER - 16)
                return false; /* libpcap cuts it, or says why not */
            if (have >= 16 + (size_t)rec[2])
                break;
        }
        if (pass)
            return false;
        /* refill: keep the partial record, read the rest */
        memmove(p->rbuf, p->rbuf + at, have);
        p->rbuf_off += at;
        p->rbuf_len = have;
        at = 0;
        while (p->rbuf_len < FILE_BUFFER) {
            ssize_t n = pread(p->fd, p->rbuf + p->rbuf_len, FILE_BUFFER - p->rbuf_len,
                              p->rbuf_off + (int64_t)p->rbuf_len);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            p->rbuf_len += (size_t)n;
        }
    }
    /* the records a few frames on: on their way into the cache while
     * this one is decoded (the record header's first read was a miss) */
    if ((size_t)at + 512 < p->rbuf_len)
        __builtin_prefetch(p->rbuf + at + 512);
    /* the values libpcap gives (nanosecond precision asked for) */
    struct pcap_pkthdr *h = &p->fast_hdr;
    h->ts.tv_sec = (int32_t)rec[0];
    h->ts.tv_usec = (long)(int32_t)rec[1] * (p->tsprec == 1 ? 1000 : 1);
    h->caplen = rec[2];
    h->len = rec[3];
    *hdr = h;
    *data = p->rbuf + at + 16;
    p->pos += 16 + (int64_t)rec[2];
    return true;
}

static void frame_reset(pcapsrc *p)
{
    for (int i = 0; i < p->nreasm; i++)
        free(p->reasm_bufs[i]);
    p->nreasm = 0;
    p->present = 0;
    p->truncated = false;
    p->window_value = -1;
    p->stream = -1;
    p->time_str[0] = '\0';
    p->time_pending = false;
    p->protocols[0] = '\0';
    memset(&p->ip_src, 0, sizeof p->ip_src);
    memset(&p->ip_dst, 0, sizeof p->ip_dst);
    memset(&p->ip6_src, 0, sizeof p->ip6_src);
    memset(&p->ip6_dst, 0, sizeof p->ip6_dst);
}

int pcapsrc_next(pcapsrc *p, tcpfsm_segment *seg, char *err, size_t errsize)
{
    tcpfsm_segment_init(seg);
    frame_reset(p);
    if (err && errsize)
        err[0] = '\0';

    struct pcap_pkthdr *hdr;
    const u_char *data;
    if (p->custom_next < p->ncustom) {
        /* a pcapng custom block: a frame with no time stamp */
        p->frame_len = p->frame_caplen = p->custom_len[p->custom_next++];
        seg->frame = ++p->frame;
        p->present = F(FRAME_NUMBER) | F(FRAME_LEN) | F(FRAME_CAP_LEN);
        return PCAPSRC_NOT_TCP;
    }
    if (p->have_held) {
        p->have_held = false;
        hdr = &p->held_hdr;
        data = p->held_data;
    } else if (p->fast && !p->follow && fast_record(p, &hdr, &data)) {
        goto decode;
    } else {
        if (p->fast && fseeko(p->fp, p->pos, SEEK_SET) != 0) {
            snprintf(err, errsize, "read error after frame %" PRIu64 ": %s", p->frame,
                     strerror(errno));
            return PCAPSRC_ERROR;
        }
        if (p->follow && !record_written(p))
            return PCAPSRC_AGAIN;
        int rc = pcap_next_ex(p->pc, &hdr, &data);
        if (rc == PCAP_ERROR_BREAK)
            return PCAPSRC_EOF;
        if (rc == 0 && p->live)
            return PCAPSRC_AGAIN;
        if (rc == 1 && p->live)
            goto decode;
        if (rc != 1) {
            const char *m = pcap_geterr(p->pc);
            if (m && strstr(m, "truncated"))
                snprintf(err, errsize, "truncated capture: frame %" PRIu64 " cut short",
                         p->frame + 1);
            else if (m && strstr(m, "different from the type of the first interface")) {
                snprintf(err, errsize, "frame %" PRIu64 ": %s", p->frame + 1, m);
                seg->frame = p->frame + 1;
                return PCAPSRC_UNSUPPORTED;
            } else
                snprintf(err, errsize, "read error after frame %" PRIu64 ": %s", p->frame,
                         m ? m : "unknown");
            return PCAPSRC_ERROR;
        }
        if (!p->pcapng && hdr->caplen < p->snapshot) {
            /* libpcap cuts only records longer than the snapshot length */
            p->pos += 16 + (int64_t)hdr->caplen;
            goto decode;
        }
        int64_t now = ftello(p->fp);
        int64_t used = now - p->pos;
        if (!p->pcapng) {
            if (used != 16 + (int64_t)hdr->caplen) {
                p->pos = now;
                seg->frame = p->frame + 1;
                snprintf(err, errsize, "frame %" PRIu64 ": packet longer than the file's "
                         "snapshot length (libpcap cuts it)", p->frame + 1);
                return PCAPSRC_UNSUPPORTED;
            }
        } else if ((p->last_spb = false),
                   used == 16 + (int64_t)((hdr->caplen + 3u) & ~3u)) {
            p->last_spb = true; /* a simple packet block alone */
        } else if (used != 32 + (int64_t)((hdr->caplen + 3u) & ~3u)) {
            /* more than one enhanced (32 + data) or simple (16 + data)
             * packet block: options, or blocks libpcap skipped */
            char m[128] = "";
            int sr = ng_scan(p, p->pos, now, hdr->caplen, m, sizeof m);
            if (sr == -1) {
                p->pos = now;
                seg->frame = p->frame + 1 + p->ncustom;
                snprintf(err, errsize, "frame %" PRIu64 ": %s", seg->frame, m);
                return PCAPSRC_UNSUPPORTED;
            }
            if (sr == -2) {
                snprintf(err, errsize, "read error after frame %" PRIu64 ": %s", p->frame,
                         strerror(errno ? errno : EIO));
                return PCAPSRC_ERROR;
            }
            if (p->ncustom) {
                p->held_hdr = *hdr;
                p->held_data = data;
                p->have_held = true;
                p->pos = now;
                return pcapsrc_next(p, seg, err, errsize);
            }
        }
        p->pos = now;
    }

decode:
    seg->frame = ++p->frame;
    /* Wireshark clips the frame's reported length at INT_MAX */
    p->frame_len = hdr->len > 2147483647u ? 2147483647u : hdr->len;
    p->frame_caplen = hdr->caplen;
    p->present = F(FRAME_NUMBER) | F(FRAME_LEN) | F(FRAME_CAP_LEN);
    if (hdr->caplen > p->frame_len) {
        snprintf(err, errsize, "frame %" PRIu64 ": captured length %u larger than the "
                 "frame length %u", seg->frame, hdr->caplen, hdr->len);
        return PCAPSRC_UNSUPPORTED;
    }
    if (p->pcapng && p->last_spb)
        goto link; /* a simple packet block has no time stamp: no
                      frame.time_epoch */
    int64_t sec = (int64_t)hdr->ts.tv_sec;
    long nsec = (long)hdr->ts.tv_usec;
    if (p->tsprec) {
        /* wiretap: secs = the unsigned 32-bit field; nsecs = an int, the
         * field (ns files) or the field * 1000 in 32 bits (us files);
         * libpcap gives the field as signed, times 1000 in 64 bits */
        sec = (int64_t)(uint32_t)hdr->ts.tv_sec;
        uint32_t raw = p->tsprec == 1 ? (uint32_t)(int32_t)(hdr->ts.tv_usec / 1000)
                                      : (uint32_t)hdr->ts.tv_usec;
        nsec = (long)(int32_t)(p->tsprec == 1 ? raw * 1000u : raw);
    }
    p->time_pending = true; /* the text: time_text() */
    p->ts_sec = sec;
    p->ts_nsec = nsec;
    p->present |= F(TIME_EPOCH);

link:;

    dctx c;
    dctx_start(&c, p, seg);
    /* frame data: captured caplen bytes, reported (original) length len */
    tvb t = {data, hdr->caplen, p->frame_len};
    pcs_decode(&c, p->dlt, t);
    p->truncated = c.truncated;

    if (c.result == R_UNSUPPORTED) {
        frame_time(p, seg);
        snprintf(err, errsize, "frame %" PRIu64 ": %s is not decoded directly",
                 seg->frame, c.why);
        return PCAPSRC_UNSUPPORTED;
    }
    if (c.result == R_NOT_TCP) {
        frame_time(p, seg);
        return PCAPSRC_NOT_TCP;
    }
    /* the fields tshark prints for it, judged as tsv.c judges the row */
    tcpfsm_segment raw = *seg;
    fill_ctx g = {p, &raw, c.ip_depth == 1 && !c.proto_full};
    tcpfsm_input_error e;
    int r = tcpfsm_segment_fill_inline(seg, fill_get, &g, &e);
    if (r == 1)
        return PCAPSRC_SEGMENT;
    /* a header quoted in an ICMP error (not TCP) keeps the members tshark
     * printed for it (pcapsrc_present), for the echo columns; so does a
     * bad row */
    *seg = raw;
    frame_time(p, seg);
    if (r == 0)
        return PCAPSRC_NOT_TCP;
    tcpfsm_input_error_str(&e, err, errsize);
    return PCAPSRC_BAD_ROW;
}
