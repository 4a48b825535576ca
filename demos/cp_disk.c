/*
 * cp_disk: a chain that ends in a device's interrupt, for `ipctrace
 * critical-path`. cp-disk reads a file with O_DIRECT (past the page cache:
 * every read waits for the disk) and then writes one byte to a pipe;
 * cp-waiter blocks reading that pipe. The waiter's wait is explained by
 * cp-disk asleep in read() until the disk's completion interrupt.
 *
 *   sudo ./ipctrace -- .output/demos/cp_disk [READS [DIR]]
 *
 * The file (8 MiB) is made in DIR (default /var/tmp; tmpfs has no O_DIRECT)
 * and removed at the end.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define FILE_SIZE (8L << 20)
#define BLOCK (64L << 10)

int main(int argc, char **argv)
{
	long reads = argc > 1 ? strtol(argv[1], NULL, 0) : 16;
	const char *dir = argc > 2 ? argv[2] : "/var/tmp";
	char path[4096], b = 'x';
	int pfd[2], status = 0, fd;
	void *buf;
	pid_t child;

	if (reads < 1) {
		fprintf(stderr, "usage: %s [READS [DIR]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(path, sizeof(path), "%s/ipctrace-cp-disk.%d", dir, getpid());
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
	if (fd < 0 || posix_memalign(&buf, 4096, BLOCK)) {
		perror(path);
		return 1;
	}
	memset(buf, 'd', BLOCK);
	for (long off = 0; off < FILE_SIZE; off += BLOCK)
		if (write(fd, buf, BLOCK) != BLOCK) {
			perror("write");
			unlink(path);
			return 1;
		}
	fsync(fd);
	close(fd);
	if (pipe(pfd)) {
		perror("pipe");
		return 1;
	}
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "cp-disk");
		fd = open(path, O_RDONLY | O_DIRECT);
		if (fd < 0) {
			perror("open O_DIRECT");
			return 1;
		}
		for (long i = 0; i < reads; i++) {
			off_t off = (off_t)((i * 7919) % (FILE_SIZE / BLOCK)) * BLOCK;

			if (pread(fd, buf, BLOCK, off) != BLOCK || write(pfd[1], &b, 1) != 1)
				return 1;
		}
		printf("cp-disk (pid %d): %ld direct reads of %ld KiB, a byte to the pipe after each\n",
		       getpid(), reads, BLOCK >> 10);
		free(buf);
		return 0;
	}
	prctl(PR_SET_NAME, "cp-waiter");
	close(pfd[1]);
	for (long i = 0; i < reads; i++)
		if (read(pfd[0], &b, 1) != 1)
			break;
	waitpid(child, &status, 0);
	unlink(path);
	free(buf);
	printf("cp-waiter (pid %d): read %ld bytes from the pipe\n", getpid(), reads);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
