/* output.c - writers: TSV, CSV (RFC 4180) and JSON Lines. */
#include "output.h"

#include <string.h>

int out_format_parse(const char *name)
{
    if (!strcmp(name, "tsv"))
        return OUT_TSV;
    if (!strcmp(name, "csv"))
        return OUT_CSV;
    if (!strcmp(name, "jsonl") || !strcmp(name, "json"))
        return OUT_JSONL;
    return -1;
}

static void csv_cell(FILE *fp, const char *v)
{
    if (!strpbrk(v, ",\"\r\n")) {
        fputs(v, fp);
        return;
    }
    fputc('"', fp);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', fp);
        fputc(*v, fp);
    }
    fputc('"', fp);
}

static void json_str(FILE *fp, const char *v)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default:
            if (*p < 0x20)
                fprintf(fp, "\\u%04x", *p);
            else
                fputc(*p, fp);
        }
    }
    fputc('"', fp);
}

/* A JSON value of the given kind from its text form ("" = null). */
static void json_value(FILE *fp, char kind, const char *v)
{
    if (!*v) {
        fputs(kind == 'L' ? "[]" : "null", fp);
        return;
    }
    switch (kind) {
    case 'N':
        fputs(v, fp);
        break;
    case 'B':
        fputs(strcmp(v, "0") ? "true" : "false", fp);
        break;
    case 'L': {
        fputc('[', fp);
        const char *p = v;
        for (int first = 1;; first = 0) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            char tok[64];
            snprintf(tok, sizeof tok, "%.*s", (int)n, p);
            if (!first)
                fputc(',', fp);
            json_str(fp, tok);
            if (!comma)
                break;
            p = comma + 1;
        }
        fputc(']', fp);
        break;
    }
    default:
        json_str(fp, v);
    }
}

static void sep(FILE *fp, out_format f, int i)
{
    if (i)
        fputc(f == OUT_TSV ? '\t' : ',', fp);
}

static void cell(FILE *fp, out_format f, const char *v)
{
    if (f == OUT_CSV)
        csv_cell(fp, v);
    else
        fputs(v, fp);
}

void out_annot_header(FILE *fp, out_format f, const tsv_reader *r)
{
    if (f == OUT_JSONL)
        return;
    int i = 0;
    for (int c = 0; c < r->ncols; c++, i++) {
        sep(fp, f, i);
        cell(fp, f, r->colnames[c]);
    }
    for (int lf = 0; lf < TCPFSM_LF_COUNT; lf++, i++) {
        sep(fp, f, i);
        cell(fp, f, tcpfsm_label_field_name(lf));
    }
    fputc('\n', fp);
}

/* input columns the tool parsed as numbers are numbers in JSON */
static char input_kind(const tsv_reader *r, int col, const char *v)
{
    static const int numeric[] = {
        TCPFSM_F_FRAME_NUMBER, TCPFSM_F_STREAM, TCPFSM_F_SRCPORT,
        TCPFSM_F_DSTPORT, TCPFSM_F_SEQ_RAW, TCPFSM_F_ACK_RAW, TCPFSM_F_LEN,
        TCPFSM_F_WINDOW_VALUE, TCPFSM_F_WINDOW_SIZE, TCPFSM_F_CHECKSUM_STATUS,
    };
    for (size_t i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
        if (r->col_of[numeric[i]] != col)
            continue;
        if (strspn(v, "0123456789") == strlen(v))
            return 'N';
    }
    return 'S';
}

void out_annot_row(FILE *fp, out_format f, const tsv_reader *r,
                   const tcpfsm_label *l)
{
    static const tcpfsm_label none = {.event = TCPFSM_EV_NONE};
    char buf[TCPFSM_LABEL_MAX + 64];
    if (!l)
        l = &none;
    if (f == OUT_JSONL) {
        fputc('{', fp);
        int i = 0;
        for (int c = 0; c < r->ncols && c < r->ncells; c++, i++) {
            if (i)
                fputc(',', fp);
            json_str(fp, r->colnames[c]);
            fputc(':', fp);
            json_value(fp, input_kind(r, c, r->cells[c]), r->cells[c]);
        }
        for (int lf = 0; lf < TCPFSM_LF_COUNT; lf++, i++) {
            if (i)
                fputc(',', fp);
            json_str(fp, tcpfsm_label_field_name(lf));
            fputc(':', fp);
            const char *v = tcpfsm_label_field_str(l, lf, buf, sizeof buf);
            char kind = tcpfsm_label_field_kind(lf);
            if (l->event == TCPFSM_EV_NONE && kind == 'L')
                fputs("null", fp);
            else
                json_value(fp, kind, v);
        }
        fputs("}\n", fp);
        return;
    }
    int i = 0;
    for (int c = 0; c < r->ncols; c++, i++) {
        sep(fp, f, i);
        cell(fp, f, c < r->ncells ? r->cells[c] : "");
    }
    for (int lf = 0; lf < TCPFSM_LF_COUNT; lf++, i++) {
        sep(fp, f, i);
        cell(fp, f, tcpfsm_label_field_str(l, lf, buf, sizeof buf));
    }
    fputc('\n', fp);
}

void out_summary_header(FILE *fp, out_format f)
{
    if (f == OUT_JSONL)
        return;
    for (int sf = 0; sf < TCPFSM_SF_COUNT; sf++) {
        sep(fp, f, sf);
        cell(fp, f, tcpfsm_summary_field_name(sf));
    }
    fputc('\n', fp);
}

void out_summary_row(FILE *fp, out_format f, const tcpfsm_summary *s)
{
    char buf[256];
    if (f == OUT_JSONL)
        fputc('{', fp);
    for (int sf = 0; sf < TCPFSM_SF_COUNT; sf++) {
        const char *v = tcpfsm_summary_field_str(s, sf, buf, sizeof buf);
        if (f == OUT_JSONL) {
            if (sf)
                fputc(',', fp);
            json_str(fp, tcpfsm_summary_field_name(sf));
            fputc(':', fp);
            json_value(fp, tcpfsm_summary_field_kind(sf), v);
        } else {
            sep(fp, f, sf);
            cell(fp, f, v);
        }
    }
    fputs(f == OUT_JSONL ? "}\n" : "\n", fp);
}
