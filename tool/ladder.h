/* ladder.h - `tcpfsm ladder`: one connection (or each) as a ladder
 * diagram, in the terminal or as SVG.  Implementation: ladder.c. */
#ifndef TCPFSM_LADDER_H
#define TCPFSM_LADDER_H

/* argv[0] is "ladder"; returns the process exit code (the tool's codes:
 * 0, 1 no connection matched the selection, 2, 64, 65, 66, 69, 74). */
int ladder_main(int argc, char **argv);

#endif
