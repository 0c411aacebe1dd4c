/* test_macros.h - the short names the unit tests write segments with:
 * directions, TCP flags, anomaly bits and states. */
#ifndef TCPFSM_TEST_MACROS_H
#define TCPFSM_TEST_MACROS_H

#include "tcpfsm.h"

enum { C2S, S2C };
#define F_ TCPFSM_FIN
#define S_ TCPFSM_SYN
#define R_ TCPFSM_RST
#define P_ TCPFSM_PSH
#define A_ TCPFSM_ACK

#define AN(x) TCPFSM_AN(x)

#define U TCPFSM_UNKNOWN
#define CL TCPFSM_CLOSED
#define LI TCPFSM_LISTEN
#define SS TCPFSM_SYN_SENT
#define SR TCPFSM_SYN_RECEIVED
#define ES TCPFSM_ESTABLISHED
#define F1 TCPFSM_FIN_WAIT_1
#define F2 TCPFSM_FIN_WAIT_2
#define CW TCPFSM_CLOSE_WAIT
#define CG TCPFSM_CLOSING
#define LA TCPFSM_LAST_ACK
#define TW TCPFSM_TIME_WAIT

#endif
