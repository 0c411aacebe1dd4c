/* help.h - the help text of one command, or NULL. */
#ifndef TCPFSM_HELP_H
#define TCPFSM_HELP_H
const char *command_help(const char *cmd);
#endif
