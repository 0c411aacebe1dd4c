/* tshark.h - run tshark (without a shell) to export the fields we read. */
#ifndef TCPFSM_TSHARK_H
#define TCPFSM_TSHARK_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* argv for `tshark -r FILE -T fields ...` (NULL-terminated, g_strfreev) */
char **tshark_argv(const char *tshark, const char *capture, bool checksums);
/* The same as one shell-quoted command line (g_free). */
char *tshark_command_line(const char *capture);

/* Does the file start with a pcap or pcapng magic number? */
bool is_capture_file(const char *path);

typedef struct tshark_proc {
    pid_t pid;
    FILE *out; /* tshark's stdout */
} tshark_proc;

/* Starts tshark on a capture; false with a message in err. */
/* checksums: have tshark verify TCP checksums (tcp.checksum.status) */
bool tshark_start(tshark_proc *p, const char *tshark, const char *capture,
                  bool checksums, char *err, size_t errsize);
/* Closes the pipe and waits; returns tshark's exit status (or -1). */
int tshark_finish(tshark_proc *p);

#endif
