/* rss: run a command, report its wall time and peak resident set size.
 *
 *   rss [-o FILE] COMMAND [ARG...]
 *
 * Forks and execs COMMAND (searched in PATH), waits for it with wait4(2)
 * and writes one line "SECONDS MAXRSS_KIB" to FILE (default: stderr).
 * SECONDS is the CLOCK_MONOTONIC time from before the fork to the end of the
 * wait.  MAXRSS is ru_maxrss of the child, which Linux takes as the largest
 * of the child and of all the descendants it waited for: for wcindex, the
 * main process or the largest worker, whichever is larger (not a sum).
 * Exits with the command's status (128+N if it died of signal N, 127 if it
 * could not be run).  It replaces /usr/bin/time -f %M, which is not always
 * installed.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *out = NULL;
	int i = 1;
	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		out = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fputs("usage: rss [-o FILE] COMMAND [ARG...]\n", stderr);
		return 2;
	}
	FILE *o = stderr;
	if (out && !(o = fopen(out, "w"))) {
		fprintf(stderr, "rss: %s: %s\n", out, strerror(errno));
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "rss: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "rss: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "rss: wait4: %s\n", strerror(errno));
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(o, "%.6f %ld\n", secs, ru.ru_maxrss);
	if (o != stderr && fclose(o) != 0) {
		fprintf(stderr, "rss: %s: %s\n", out, strerror(errno));
		return 2;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
