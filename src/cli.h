/*
 * cli.h - the command layer: parses the command line, runs a subcommand
 * and turns its outcome into an exit status.  The only module that exits.
 */
#ifndef WCINDEX_CLI_H
#define WCINDEX_CLI_H

/* Run wcindex with argv; returns the process exit status. */
int cli_main(int argc, char **argv);

#endif
