/* diagram.h - `tcpfsm diagram`: RFC 9293's state diagram with the path
 * each endpoint of a connection took.  Implementation: diagram.c. */
#ifndef TCPFSM_DIAGRAM_H
#define TCPFSM_DIAGRAM_H

/* argv[0] is "diagram"; returns the process exit code. */
int diagram_main(int argc, char **argv);

#endif
