/* output.h - writers for annotated rows and connection summaries. */
#ifndef TCPFSM_OUTPUT_H
#define TCPFSM_OUTPUT_H

#include <stdio.h>

#include "tcpfsm.h"
#include "tsv.h"

typedef enum out_format { OUT_TSV, OUT_CSV, OUT_JSONL } out_format;

/* Parses "tsv", "csv", "jsonl"; -1 when unknown. */
int out_format_parse(const char *name);

void out_annot_header(FILE *fp, out_format f, const tsv_reader *r);
/* l == NULL: a row passed through unlabelled (not TCP). */
void out_annot_row(FILE *fp, out_format f, const tsv_reader *r,
                   const tcpfsm_label *l);
void out_summary_header(FILE *fp, out_format f);
/* One text value: a TSV cell as is, a CSV cell quoted when needed, a
 * JSON string. */
void out_text_cell(FILE *fp, out_format f, const char *v);
void out_summary_row(FILE *fp, out_format f, const tcpfsm_summary *s);
/* summary --pretty: the TSV text (len bytes) as a table whose columns are
 * aligned (display columns: a CJK character counts 2), two blanks apart;
 * an empty cell shows as "-". */
void out_pretty_table(FILE *fp, const char *tsv, size_t len);

#endif
