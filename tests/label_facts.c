/* label_facts.c - test harness: the engine's own words for every segment
 * of an input, one line per segment, for the drift test (drift.py):
 *
 *   FRAME <TAB> TITLE <TAB> HEADING <TAB> FLOW <TAB> CHECK <TAB> EVENT
 *         <TAB> ANOMALIES <TAB> SITUATION
 *
 * TITLE   tcpfsm_step_title(): "Handshake 2/3", "Simultaneous close 3/4",
 *         "Refused", "" for a segment that is no step
 * HEADING tcpfsm_step_heading(): what the plugin's Info column shows,
 *         "Handshake 2/3: SYN-ACK", "Data"
 * FLOW    tcpfsm_flow_text(): the Flow Graph arrow, "FIN-ACK Teardown 2/3"
 * CHECK   tcpfsm_check_text(): "ack = ISN + 1 ✓", "" where no check applies
 * EVENT, ANOMALIES  the tokens (tcpfsm_event_name(), tcpfsm_anomalies_str())
 * SITUATION the row of the situation table (tcpfsm_situation_name())
 *
 *   label_facts [--lang en|zh] [--tshark PATH] INPUT
 *
 * INPUT is read as `tcpfsm annotate --via-tshark` reads it (a capture
 * through tshark, as the plugin sees it; or a TSV export).
 * Exit: 0, 64 usage, else the input layer's exit code.
 */
#include <stdio.h>
#include <string.h>

#include "input.h"
#include "tcpfsm.h"
#include "tcpfsm_lang.h"

int main(int argc, char **argv)
{
    tcpfsm_lang lang = TCPFSM_LANG_EN;
    const char *tshark = "tshark";
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
        if (!strcmp(argv[i], "--lang") && tcpfsm_lang_parse(argv[i + 1], &lang))
            continue;
        if (!strcmp(argv[i], "--tshark")) {
            tshark = argv[i + 1];
            continue;
        }
        break;
    }
    if (i != argc - 1) {
        fprintf(stderr, "usage: label_facts [--lang en|zh] [--tshark PATH] INPUT\n");
        return 64;
    }
    input in;
    input_opts o = {.tshark = tshark, .via_tshark = true, .quiet = true};
    int rc = input_open(&in, argv[i], &o);
    if (rc)
        return rc;
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.lang = lang;
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    tcpfsm_segment seg;
    tcpfsm_label l;
    int r;
    while ((r = input_next(&in, &seg)) >= 0) {
        if (r != INPUT_SEGMENT || tcpfsm_engine_feed(e, &seg, &l) != 0)
            continue;
        char title[128], heading[160], flow[160], check[160], an[256];
        tcpfsm_step_title(&l, lang, title, sizeof title);
        tcpfsm_step_heading(&l, lang, heading, sizeof heading);
        tcpfsm_flow_text(&l, lang, flow, sizeof flow);
        tcpfsm_check_text(&l, lang, check, sizeof check);
        tcpfsm_anomalies_str(l.anomalies, an, sizeof an);
        printf("%llu\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
               (unsigned long long)seg.frame, title, heading, flow, check,
               tcpfsm_event_name(l.event), an,
               tcpfsm_situation_name(l.situation));
    }
    tcpfsm_engine_finish(e);
    tcpfsm_engine_free(e);
    rc = input_close(&in, r == INPUT_FAIL ? in.status : TCPFSM_EXIT_OK);
    return input_report(&in, rc);
}
