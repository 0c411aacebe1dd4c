/* api.c - the parts of libtcpfsm's interface that let a program use the
 * shared library without knowing the size or layout of its structs:
 * heap copies made by the library that runs, setters for a segment, and
 * result fields looked up by name (tcpfsm.h, "library interface"). */
#include "tcpfsm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *tcpfsm_version(void)
{
    return TCPFSM_VERSION;
}

static void *zalloc(size_t size)
{
    void *p = calloc(1, size);
    if (!p)
        errno = ENOMEM;
    return p;
}

tcpfsm_config *tcpfsm_config_new(void)
{
    tcpfsm_config *cfg = zalloc(sizeof *cfg);
    if (cfg)
        tcpfsm_config_init(cfg);
    return cfg;
}

void tcpfsm_config_free(tcpfsm_config *cfg) { free(cfg); }

void tcpfsm_config_set_summary_fn(tcpfsm_config *cfg, tcpfsm_summary_fn fn,
                                  void *user)
{
    cfg->on_summary = fn;
    cfg->user = user;
}

void tcpfsm_config_set_lang(tcpfsm_config *cfg, tcpfsm_lang lang)
{
    cfg->lang = lang;
}

void tcpfsm_config_set_zeek_split(tcpfsm_config *cfg, bool on, bool bare)
{
    cfg->zeek_split = on;
    cfg->zeek_bare = bare;
}

tcpfsm_segment *tcpfsm_segment_new(void)
{
    tcpfsm_segment *seg = zalloc(sizeof *seg);
    if (seg)
        tcpfsm_segment_init(seg);
    return seg;
}

void tcpfsm_segment_free(tcpfsm_segment *seg) { free(seg); }

tcpfsm_label *tcpfsm_label_new(void) { return zalloc(sizeof(tcpfsm_label)); }

void tcpfsm_label_free(tcpfsm_label *l) { free(l); }

void tcpfsm_segment_set_frame(tcpfsm_segment *seg, uint64_t frame)
{
    seg->frame = frame;
}

void tcpfsm_segment_set_time(tcpfsm_segment *seg, double epoch)
{
    seg->time = epoch;
    seg->has_time = true;
}

void tcpfsm_segment_set_stream(tcpfsm_segment *seg, int64_t stream)
{
    seg->stream = stream;
}

bool tcpfsm_segment_set_endpoints(tcpfsm_segment *seg, const char *src,
                                  uint16_t sport, const char *dst,
                                  uint16_t dport)
{
    tcpfsm_addr s, d;
    if (!tcpfsm_addr_parse(src, &s) || !tcpfsm_addr_parse(dst, &d) ||
        s.family != d.family)
        return false;
    seg->src = s;
    seg->dst = d;
    seg->sport = sport;
    seg->dport = dport;
    return true;
}

void tcpfsm_segment_set_tcp(tcpfsm_segment *seg, uint16_t flags,
                            uint32_t seq, uint32_t ack, uint32_t len)
{
    seg->flags = flags;
    seg->seq = seq;
    seg->ack = ack;
    seg->len = len;
}

void tcpfsm_segment_set_window(tcpfsm_segment *seg, uint32_t window)
{
    seg->window = window;
    seg->has_window = true;
}

int tcpfsm_label_field_find(const char *name)
{
    for (int f = 0; f < TCPFSM_LF_COUNT; f++)
        if (strcmp(tcpfsm_label_field_name(f), name) == 0)
            return f;
    return -1;
}

int tcpfsm_label_field_count(void) { return TCPFSM_LF_COUNT; }

int tcpfsm_summary_field_find(const char *name)
{
    for (int f = 0; f < TCPFSM_SF_COUNT; f++)
        if (strcmp(tcpfsm_summary_field_name(f), name) == 0)
            return f;
    return -1;
}

int tcpfsm_summary_field_count(void) { return TCPFSM_SF_COUNT; }
