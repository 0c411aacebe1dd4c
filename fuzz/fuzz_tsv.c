/* fuzz_tsv.c - libFuzzer harness: the TSV reader, the engine and the
 * writers on arbitrary bytes.  Built with -DTCPFSM_FUZZ=ON (clang). */
#include <stdint.h>
#include <stdio.h>

#include "output.h"
#include "tcpfsm.h"
#include "tsv.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    if (size == 0)
        return 0;
    FILE *fp = fmemopen((void *)data, size, "r");
    if (!fp)
        return 0;
    tsv_reader rd;
    char err[512];
    if (tsv_open(&rd, fp, "fuzz", err, sizeof err) == TSV_ROW) {
        tcpfsm_config cfg;
        tcpfsm_config_init(&cfg);
        cfg.max_lingering = 4; /* exercise release often */
        cfg.linger_seconds = 0.5;
        tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
        out_annot_header(devnull, OUT_JSONL, &rd);
        while (tsv_next(&rd) == TSV_ROW) {
            tcpfsm_segment seg;
            tcpfsm_label lab;
            int pr = tsv_parse(&rd, &seg, err, sizeof err);
            if (pr < 0)
                continue;
            if (pr == 0) {
                out_annot_row(devnull, OUT_CSV, &rd, NULL);
                continue;
            }
            int fe = tcpfsm_engine_feed(e, &seg, &lab);
            out_annot_row(devnull, OUT_JSONL, &rd, fe == 0 ? &lab : NULL);
            out_annot_row(devnull, OUT_CSV, &rd, fe == 0 ? &lab : NULL);
        }
        tcpfsm_engine_finish(e);
        tcpfsm_engine_free(e);
    }
    tsv_close(&rd);
    fclose(fp);
    return 0;
}
