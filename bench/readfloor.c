/* readfloor: the "read floor" of the benchmark (bench/run.sh): the least
 * work any program that looks at every byte of every file must do.
 *
 *   readfloor PATH...     walk each PATH (a directory or a file)
 *   readfloor -0          read NUL-separated file names from stdin
 *
 * One process, one thread, one 256 KiB buffer: every regular file is
 * opened, read to the end and closed, and nothing is counted.  Directories
 * are walked with openat/fdopendir/readdir, relative to the directory's
 * descriptor, using d_type (fstatat only when the file system does not fill
 * it in), without following symbolic links; this is the walk wcindex itself
 * must do, so the floor includes it (a `find | readfloor -0` pipeline would
 * instead put the walk on a second core).  Prints "FILES BYTES" and exits 1
 * if anything could not be read (it is named on stderr).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUFSZ (256 * 1024)

static char buf[BUFSZ] __attribute__((aligned(4096)));
static unsigned long long nfiles, nbytes;
static int status;

static void complain(const char *what, const char *name)
{
	fprintf(stderr, "readfloor: %s%s%s: %s\n", what, *what ? " " : "", name,
		strerror(errno));
	status = 1;
}

static void read_fd(int fd, const char *name)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n > 0) {
			nbytes += (unsigned long long)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			complain("read", name);
		break;
	}
	nfiles++;
}

static void read_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		complain("open", name);
		return;
	}
	read_fd(fd, name);
	close(fd);
}

static void walk(int dfd, const char *name);

static void walk_dir(int fd, const char *name)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		complain("fdopendir", name);
		close(fd);
		return;
	}
	struct dirent *e;
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e) {
			if (errno)
				complain("readdir", name);
			break;
		}
		const char *n = e->d_name;
		if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0)))
			continue;
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) != 0) {
				complain("stat", n);
				continue;
			}
			type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : DT_LNK;
		}
		if (type == DT_REG)
			read_at(dirfd(d), n);
		else if (type == DT_DIR)
			walk(dirfd(d), n);
	}
	closedir(d);
}

static void walk(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		complain("opendir", name);
		return;
	}
	walk_dir(fd, name);
}

static void from_stdin(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getdelim(&line, &cap, '\0', stdin)) > 0) {
		if (line[len - 1] == '\0')
			len--;
		line[len] = 0;
		if (len > 0)
			read_at(AT_FDCWD, line);
	}
	free(line);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "-0") == 0) {
		from_stdin();
	} else if (argc >= 2) {
		for (int i = 1; i < argc; i++) {
			struct stat st;
			if (stat(argv[i], &st) != 0)
				complain("stat", argv[i]);
			else if (S_ISDIR(st.st_mode))
				walk(AT_FDCWD, argv[i]);
			else
				read_at(AT_FDCWD, argv[i]);
		}
	} else {
		fputs("usage: readfloor DIR|FILE...  or  readfloor -0 <names\n", stderr);
		return 2;
	}
	printf("%llu %llu\n", nfiles, nbytes);
	return status;
}
