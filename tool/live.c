/* live.c - `tcpfsm annotate|summary|ladder -i IFACE [-f FILTER]`: a live
 * capture through libpcap, decoded by the direct reader (pcapsrc) exactly
 * as a capture file is.  SIGINT and SIGTERM end the capture cleanly: the
 * read loop sees the end of the input, and the command finishes as at the
 * end of a file (the connections still open are summarized). */
#define _DEFAULT_SOURCE
#include "live.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pcap_t *volatile live_pc;
static volatile sig_atomic_t live_stop;

static void on_signal(int sig)
{
    live_stop = sig;
    if (live_pc)
        pcap_breakloop(live_pc);
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int live_stopped(void)
{
    return live_stop;
}

void live_catch_signals(void)
{
    catch_signals();
}

/* what the capture needs, said the way a user can act on it */
static void rights_message(const char *iface, const char *err)
{
    fprintf(stderr, "tcpfsm: %s: cannot capture: %s\n", iface, err);
    fprintf(stderr, "tcpfsm: capturing needs the rights dumpcap needs: run as "
            "root, or give the program the capabilities CAP_NET_RAW and "
            "CAP_NET_ADMIN (sudo setcap cap_net_raw,cap_net_admin=eip "
            "$(command -v tcpfsm)), or join the group that may run dumpcap "
            "(wireshark on Debian: sudo usermod -aG wireshark $USER) and "
            "capture with dumpcap -i %s -w FILE, then run tcpfsm on FILE\n",
            iface);
}

pcapsrc *live_open(const char *iface, const char *filter, char *err,
                   size_t errsize, int *status)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    *status = 66; /* cannot open the input */
    pcap_t *pc = pcap_create(iface, ebuf);
    if (!pc) {
        snprintf(err, errsize, "%s", ebuf);
        fprintf(stderr, "tcpfsm: %s: %s\n", iface, err);
        return NULL;
    }
    pcap_set_snaplen(pc, 262144);
    pcap_set_promisc(pc, 1);
    pcap_set_immediate_mode(pc, 1); /* each packet as it comes */
    pcap_set_timeout(pc, 100);
    bool nano = pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO) == 0;
    int rc = pcap_activate(pc);
    if (rc < 0) {
        const char *m = rc == PCAP_ERROR ? pcap_geterr(pc) : pcap_statustostr(rc);
        snprintf(err, errsize, "%s", m && *m ? m : pcap_statustostr(rc));
        if (rc == PCAP_ERROR_PERM_DENIED || strstr(err, "ermission") ||
            strstr(err, "not permitted"))
            rights_message(iface, err);
        else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
            fprintf(stderr, "tcpfsm: %s: no such interface (%s); list them with "
                    "ip link, or tshark -D\n", iface, err);
        else
            fprintf(stderr, "tcpfsm: %s: cannot capture: %s\n", iface, err);
        pcap_close(pc);
        return NULL;
    }
    if (filter && *filter) {
        struct bpf_program prog;
        if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(pc, &prog) != 0) {
            snprintf(err, errsize, "%s", pcap_geterr(pc));
            fprintf(stderr, "tcpfsm: %s: capture filter '%s': %s\n", iface,
                    filter, err);
            pcap_close(pc);
            *status = 64;
            return NULL;
        }
        pcap_freecode(&prog);
    }
    pcapsrc *p = pcapsrc_open_live(pc, nano, err, errsize);
    if (!p) {
        fprintf(stderr, "tcpfsm: %s: %s (capture on another interface, or with "
                "tshark -i %s -w FILE and run tcpfsm on FILE)\n", iface, err, iface);
        pcap_close(pc);
        return NULL;
    }
    live_pc = pc;
    catch_signals();
    *status = 0;
    return p;
}

void live_close(void)
{
    live_pc = NULL;
}

int live_wait_fd(const pcapsrc *p)
{
    (void)p;
    return live_pc ? pcap_get_selectable_fd(live_pc) : -1;
}
