/*
 * main.c - the wcindex program: everything lives in libwcindex; this file
 * only hands the command line to it.
 */
#include "config.h"

#include "cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
