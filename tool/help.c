/* help.c - `tcpfsm COMMAND --help`: the help of one command (the ladder's
 * is in ladder.c, the whole list in main.c). */
#include "help.h"

#include <string.h>

static const char annotate_help[] =
    "Usage: tcpfsm annotate [OPTIONS] [INPUT | -i IFACE]\n"
    "       tcpfsm annotate --output-dir DIR [--jobs N] FILE...\n"
    "\n"
    "Label every TCP segment of INPUT with its handshake or teardown step and\n"
    "the state moves it causes on both endpoints: the input rows plus the\n"
    "columns event phase step close role client_state server_state\n"
    "src_prev src_state dst_prev dst_state seq_rel ack_rel ack_ok anomaly\n"
    "label.\n"
    "\n"
    "INPUT: a pcap/pcapng capture, or a `tshark -T fields -E header=y` export\n"
    "(tcpfsm fields prints the command); - or nothing: standard input.\n"
    "\n"
    "Options:\n"
    "  -f, --format FMT   tsv (default), jsonl, csv\n"
    "  -o, --output FILE  write to FILE instead of standard output\n"
    "  -D, --output-dir DIR  one DIR/NAME.tcpfsm.tsv per FILE\n"
    "  -j, --jobs N       inputs processed at once\n"
    "      --threads N    threads for one input read from a file (default:\n"
    "                     the cores): a reader thread and the engine's;\n"
    "                     output identical to --threads 1\n"
    "      --lang LANG    en (default) or zh: the language of the label\n"
    "      --max-open N   at most N connections open at once\n"
    "      --strict       stop at the first bad input row (exit 65)\n"
    "      --via-tshark   read captures through tshark, not directly\n"
    "      --tshark PATH  the tshark to run\n"
    "  -q, --quiet        no progress line\n"
    "      --line-buffered  write each row at once (default: whenever the\n"
    "                     input has nothing more to read right now)\n"
    "  -i, --interface IFACE  capture live until Ctrl-C; the connections\n"
    "                     still open are then listed on standard error\n"
    "      --capture-filter EXPR  with -i: a capture filter (or -f EXPR)\n"
    "\n"
    "Example: tcpfsm annotate -i lo -f 'tcp port 8080' | cut -f20,22,33\n";

static const char summary_help[] =
    "Usage: tcpfsm summary [OPTIONS] [INPUT... | -i IFACE]\n"
    "\n"
    "One record per TCP connection: stream client server first_frame\n"
    "last_frame duration handshake close active_closer client_state\n"
    "server_state syn_rtt irtt client_packets server_packets client_bytes\n"
    "server_bytes conn_state history orig_h orig_p resp_h resp_p orig_pkts\n"
    "resp_pkts anomalies; with several inputs, a first column file.\n"
    "\n"
    "Options:\n"
    "  -f, --format FMT   tsv (default) or jsonl\n"
    "      --pretty       an aligned table (default on a terminal);\n"
    "      --no-pretty    tab-separated even on a terminal\n"
    "  -o, --output FILE  write to FILE instead of standard output\n"
    "  -j, --jobs N       inputs processed at once\n"
    "      --threads N    threads for one input read from a file (default:\n"
    "                     the cores): a reader thread and the engine's;\n"
    "                     output identical to --threads 1\n"
    "      --zeek[=bare]  split connections as Zeek does\n"
    "      --ignore-checksums  as zeek -C\n"
    "      --no-zeek-timers  never expire connections\n"
    "      --max-open N   at most N connections open at once\n"
    "      --strict       stop at the first bad input row (exit 65)\n"
    "      --via-tshark   read captures through tshark, not directly\n"
    "      --tshark PATH  the tshark to run\n"
    "  -q, --quiet        no progress line\n"
    "      --line-buffered  write each record at once\n"
    "  -i, --interface IFACE  capture live until Ctrl-C, then summarize the\n"
    "                     connections still open\n"
    "      --capture-filter EXPR  with -i: a capture filter (or -f EXPR)\n";

static const char fields_help[] =
    "Usage: tcpfsm fields [CAPTURE]\n"
    "\n"
    "Print the tshark command that exports what tcpfsm reads from CAPTURE\n"
    "(run it on a machine with tshark, give tcpfsm the TSV).\n";

static const char diagram_help[] =
    "Usage: tcpfsm diagram [--stream N] [--svg FILE] [--lang en|zh] [INPUT]\n"
    "\n"
    "RFC 9293's TCP state diagram (its Figure 5) with the path each endpoint\n"
    "of one connection took drawn on it: the client's moves in one colour,\n"
    "the server's in another, each edge marked with the frame that caused\n"
    "it, the edges never taken in grey.  The moves are the engine's labels\n"
    "(src_prev/src_state, dst_prev/dst_state).  Text on a terminal.\n"
    "\n"
    "Options:\n"
    "      --stream N     the connection with tcp.stream N (default: the\n"
    "                     first connection)\n"
    "      --svg FILE     write the diagram as SVG to FILE (- for standard\n"
    "                     output)\n"
    "      --lang LANG    en (default) or zh\n"
    "  -o, --output FILE  write the text to FILE\n"
    "      --strict, --via-tshark, --tshark PATH, -q: as annotate\n";

const char *command_help(const char *cmd)
{
    if (!strcmp(cmd, "annotate"))
        return annotate_help;
    if (!strcmp(cmd, "summary"))
        return summary_help;
    if (!strcmp(cmd, "fields"))
        return fields_help;
    if (!strcmp(cmd, "diagram"))
        return diagram_help;
    return NULL;
}
